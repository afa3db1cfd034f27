/**
 * Builds and pushes OCI content for registry tests, the way the conformance suite's data
 * generator does: random blobs, an image config, image manifests and indexes.
 */
import { randomBytes } from 'node:crypto';
import type { RegistryHarness } from './registry-harness.ts';
import { sha256 } from './registry-harness.ts';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';

/** A blob with its digest. */
export interface Blob {
  readonly bytes: Buffer;
  readonly digest: string;
}

/** Random bytes of `size`. */
export function randomBlob(size = 512): Blob {
  const bytes = randomBytes(size);
  return { bytes, digest: sha256(bytes) };
}

/** Bytes with their digest. */
export function blobOf(bytes: Buffer | string): Blob {
  const b = Buffer.from(bytes);
  return { bytes: b, digest: sha256(b) };
}

/** An image: config, layers and the manifest bytes that reference them. */
export interface TestImage {
  readonly config: Blob;
  readonly layers: readonly Blob[];
  readonly manifest: Blob;
  readonly mediaType: string;
}

/** Makes an image manifest over fresh random layers; `extra` fields are merged into the manifest JSON. */
export function makeImage(options: { layers?: number; mediaType?: string; extra?: Record<string, unknown> } = {}): TestImage {
  const mediaType = options.mediaType ?? OCI_MANIFEST;
  const config = blobOf(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, nonce: randomBytes(8).toString('hex') }));
  const layers = Array.from({ length: options.layers ?? 2 }, () => randomBlob(1024));
  const configType = mediaType === DOCKER_MANIFEST ? 'application/vnd.docker.container.image.v1+json' : OCI_CONFIG;
  const layerType = mediaType === DOCKER_MANIFEST ? 'application/vnd.docker.image.rootfs.diff.tar.gzip' : OCI_LAYER;
  const doc = {
    schemaVersion: 2,
    mediaType,
    config: { mediaType: configType, digest: config.digest, size: config.bytes.length },
    layers: layers.map((l) => ({ mediaType: layerType, digest: l.digest, size: l.bytes.length })),
    ...options.extra,
  };
  return { config, layers, manifest: blobOf(JSON.stringify(doc)), mediaType };
}

/** Makes an index over the given manifests. */
export function makeIndex(children: ReadonlyArray<{ manifest: Blob; mediaType: string }>, extra: Record<string, unknown> = {}): Blob {
  return blobOf(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: children.map((c) => ({ mediaType: c.mediaType, digest: c.manifest.digest, size: c.manifest.bytes.length, platform: { os: 'linux', architecture: 'amd64' } })),
      ...extra,
    }),
  );
}

/** Pushes a blob with POST then PUT; throws unless the registry answers 201. */
export async function pushBlob(reg: RegistryHarness, name: string, blob: Blob): Promise<void> {
  const post = await reg.request({ method: 'POST', path: `/v2/${name}/blobs/uploads/` });
  if (post.status !== 202) throw new Error(`POST upload: ${post.status} ${post.body.toString()}`);
  const put = await reg.request({
    method: 'PUT',
    path: `${post.headers.location}?digest=${blob.digest}`,
    headers: { 'Content-Type': 'application/octet-stream' },
    body: blob.bytes,
  });
  if (put.status !== 201) throw new Error(`PUT upload: ${put.status} ${put.body.toString()}`);
}

/** Pushes a manifest by tag or digest and returns the response. */
export function putManifest(reg: RegistryHarness, name: string, reference: string, manifest: Blob, mediaType: string) {
  return reg.request({ method: 'PUT', path: `/v2/${name}/manifests/${reference}`, headers: { 'Content-Type': mediaType }, body: manifest.bytes });
}

/** Pushes an image's blobs and then its manifest under `reference`; throws unless 201. */
export async function pushImage(reg: RegistryHarness, name: string, reference: string, image: TestImage): Promise<void> {
  for (const blob of [image.config, ...image.layers]) await pushBlob(reg, name, blob);
  const res = await putManifest(reg, name, reference, image.manifest, image.mediaType);
  if (res.status !== 201) throw new Error(`PUT manifest: ${res.status} ${res.body.toString()}`);
}
