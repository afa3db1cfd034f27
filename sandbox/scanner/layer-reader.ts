/**
 * Streams one layer blob from the blob store through gunzip (when it is gzipped) and a tar
 * parser, and returns only the entries that can affect the files the scanner reads, with the
 * content of those few files. Nothing else of the layer is kept in memory.
 */
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';
import type { Header } from 'tar-stream';
import type { IBlobStore } from '../contracts.ts';
import { classifyEntry, isWantedPath, normalizeEntryPath } from '../core/scanning/index.ts';
import type { LayerEntry, LayerRef } from '../core/scanning/index.ts';

/** Files we read are package databases: a big Debian image's dpkg status is a few MB. */
const MAX_WANTED_FILE_BYTES = 64 * 1024 * 1024;

/** A layer could not be read; `message` is the reason reported in the FAILED scan status. */
export class LayerReadError extends Error {
  override readonly name = 'LayerReadError';
}

/**
 * Reads one layer's relevant entries.
 * @throws {LayerReadError} when the blob is missing, compressed in a way we cannot read, or not a tar
 */
export async function readLayerEntries(blobs: IBlobStore, accountId: string, layer: LayerRef): Promise<LayerEntry[]> {
  if (layer.compression === 'zstd') {
    throw new LayerReadError(`layer ${layer.digest} is zstd-compressed (${layer.mediaType}), which this scanner cannot read`);
  }
  if (layer.compression === 'unknown') {
    throw new LayerReadError(`layer ${layer.digest} has media type '${layer.mediaType}', which is not a filesystem layer`);
  }
  const size = await blobs.size(accountId, layer.digest);
  if (size === undefined) throw new LayerReadError(`layer ${layer.digest} is not in the registry's blob store`);
  // Sniff rather than trust the media type: tools do push uncompressed tars as "tar.gzip".
  const gzipped = size >= 2 && (await isGzip(blobs, accountId, layer.digest));

  const entries: LayerEntry[] = [];
  const tar = extract();
  const source = blobs.open(accountId, layer.digest);
  // tar-stream's streams are streamx streams: Node's pipeline drives them, its types do not know that.
  const sink = tar as unknown as NodeJS.WritableStream;
  const piping = (gzipped ? pipeline(source, createGunzip(), sink) : pipeline(source, sink)).then(
    () => undefined,
    (err: unknown) => err,
  );
  let failure: unknown;
  try {
    for await (const entry of tar) {
      const h = entry.header;
      const path = normalizeEntryPath(h.name);
      if (h.type === 'file' || h.type === 'contiguous-file') {
        if (isWantedPath(path)) {
          const content = await readCapped(entry as unknown as AsyncIterable<Uint8Array>, h, layer.digest);
          const e = classifyEntry(h.name, 'file', undefined, content);
          if (e) entries.push(e);
          continue;
        }
      }
      entry.resume();
      const e = classifyEntry(h.name, entryType(h), h.linkname ?? undefined);
      if (e) entries.push(e);
    }
  } catch (err) {
    failure = err;
  }
  const pipeFailure = await piping;
  const err = failure ?? pipeFailure;
  if (err !== undefined) {
    if (err instanceof LayerReadError) throw err;
    throw new LayerReadError(`layer ${layer.digest} could not be read as a ${gzipped ? 'gzipped ' : ''}tar archive: ${(err as Error).message}`, {
      cause: err,
    });
  }
  return entries;
}

function entryType(h: Header): 'file' | 'directory' | 'symlink' | 'link' | 'other' {
  switch (h.type) {
    case 'file':
    case 'contiguous-file':
      return 'file';
    case 'directory':
      return 'directory';
    case 'symlink':
      return 'symlink';
    case 'link':
      return 'link';
    default:
      return 'other';
  }
}

async function readCapped(entry: AsyncIterable<Uint8Array>, h: Header, digest: string): Promise<string> {
  if (h.size > MAX_WANTED_FILE_BYTES) {
    throw new LayerReadError(`layer ${digest}: /${normalizeEntryPath(h.name)} is larger than ${MAX_WANTED_FILE_BYTES} bytes`);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of entry) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

async function isGzip(blobs: IBlobStore, accountId: string, digest: string): Promise<boolean> {
  const chunks: Buffer[] = [];
  for await (const chunk of blobs.open(accountId, digest, { start: 0, end: 1 })) chunks.push(Buffer.from(chunk as Uint8Array));
  const head = Buffer.concat(chunks);
  return head[0] === 0x1f && head[1] === 0x8b;
}
