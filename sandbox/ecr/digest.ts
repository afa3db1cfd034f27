import { createHash } from 'node:crypto';

/** `sha256:<hex>` of some bytes: the content address of manifests and blobs. */
export function sha256Digest(bytes: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}
