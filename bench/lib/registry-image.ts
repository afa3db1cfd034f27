/**
 * A single-layer image as an OCI layout directory (`oci:<dir>:<tag>` for skopeo), built locally with no network:
 * one tar layer holding one file of random (incompressible) bytes, gzip-framed at level 0 so skopeo pushes it as is
 * (an uncompressed layer would be gzipped by skopeo on the way to a registry, and that CPU would dominate the timing).
 */
import { createHash, randomFillSync } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const OCI_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';

export interface BuiltOciImage {
  dir: string;
  tag: string;
  /** `oci:<dir>:<tag>` */
  ref: string;
  layerDigest: string;
  layerSize: number;
  manifestDigest: string;
}

/** One ustar header for a regular file. */
export function tarHeader(name: string, size: number): Buffer {
  const h = Buffer.alloc(512);
  const field = (offset: number, length: number, value: string) => h.write(value, offset, length, 'ascii');
  const octal = (offset: number, length: number, value: number) => field(offset, length, value.toString(8).padStart(length - 1, '0') + '\0');
  field(0, 100, name);
  octal(100, 8, 0o644);
  octal(108, 8, 0);
  octal(116, 8, 0);
  octal(124, 12, size);
  octal(136, 12, 0);
  field(148, 8, '        ');
  field(156, 1, '0');
  field(257, 6, 'ustar\0');
  field(263, 2, '00');
  let sum = 0;
  for (const b of h) sum += b;
  field(148, 8, sum.toString(8).padStart(6, '0') + '\0 ');
  return h;
}

/** The tar stream: header, `size` random bytes, padding, end-of-archive. */
async function* randomTar(name: string, size: number): AsyncGenerator<Buffer> {
  yield tarHeader(name, size);
  const chunk = 1 << 20;
  for (let left = size; left > 0; left -= chunk) yield randomFillSync(Buffer.allocUnsafe(Math.min(chunk, left)));
  const pad = (512 - (size % 512)) % 512;
  yield Buffer.alloc(pad + 1024);
}

function hashTap(hash: ReturnType<typeof createHash>, count?: { n: number }): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      if (count) count.n += chunk.length;
      cb(null, chunk);
    },
  });
}

/** Writes a blob into `<dir>/blobs/sha256/` and returns its descriptor. */
async function writeBlob(dir: string, mediaType: string, bytes: Buffer): Promise<{ mediaType: string; digest: string; size: number }> {
  const hex = createHash('sha256').update(bytes).digest('hex');
  await writeFile(join(dir, 'blobs', 'sha256', hex), bytes);
  return { mediaType, digest: `sha256:${hex}`, size: bytes.length };
}

/** Builds the layout directory with one layer of `randomBytes` random bytes (plus tar and gzip framing). */
export async function buildRandomOciImage(dir: string, randomBytes: number, tag = 'bench'): Promise<BuiltOciImage> {
  const blobs = join(dir, 'blobs', 'sha256');
  await mkdir(blobs, { recursive: true });
  const diffHash = createHash('sha256');
  const layerHash = createHash('sha256');
  const layerCount = { n: 0 };
  const tmp = join(blobs, 'layer.tmp');
  await pipeline(Readable.from(randomTar('random.bin', randomBytes)), hashTap(diffHash), createGzip({ level: 0 }), hashTap(layerHash, layerCount), createWriteStream(tmp));
  const layerHex = layerHash.digest('hex');
  await rename(tmp, join(blobs, layerHex));
  const layer = { mediaType: OCI_LAYER_GZIP, digest: `sha256:${layerHex}`, size: layerCount.n };
  const config = await writeBlob(
    dir,
    OCI_CONFIG,
    Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [`sha256:${diffHash.digest('hex')}`] } })),
  );
  const manifest = await writeBlob(dir, OCI_MANIFEST, Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers: [layer] })));
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await writeFile(
    join(dir, 'index.json'),
    JSON.stringify({ schemaVersion: 2, manifests: [{ ...manifest, annotations: { 'org.opencontainers.image.ref.name': tag } }] }),
  );
  return { dir, tag, ref: `oci:${dir}:${tag}`, layerDigest: layer.digest, layerSize: layer.size, manifestDigest: manifest.digest };
}
