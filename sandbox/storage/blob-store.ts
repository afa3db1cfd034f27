/**
 * Content-addressed blob storage on disk, shared by all repositories of an account:
 * `<dataDir>/blobs/<accountId>/sha256/<2 hex>/<64 hex>`. Upload sessions live in
 * `<dataDir>/uploads/<uuid>/` (see ./uploads.ts) and survive restarts. Bytes are streamed to disk and
 * hashed on the way; a blob only appears under `blobs/` by an atomic rename after its digest was
 * verified, so a crash mid-upload never leaves a half-written blob visible.
 */
import { createReadStream } from 'node:fs';
import { mkdir, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { IBlobStore } from '../contracts.ts';
import { RegistryError, digestHex, isAccountId } from '../core/registry/index.ts';
import { UploadSessions } from './uploads.ts';
import { writeFileRange } from './file-range-writer.ts';
import type { AppendOptions, UploadSession } from './uploads.ts';

export type { AppendOptions, UploadSession } from './uploads.ts';

/** The blob store the registry uses: {@link IBlobStore} plus upload sessions. */
export interface BlobStore extends IBlobStore {
  /** Opens an upload session for `repository` in `accountId`. */
  startUpload(accountId: string, repository: string): Promise<UploadSession>;
  /** The session, or undefined when unknown (never started, finished, cancelled or pruned). */
  getUpload(uploadId: string): Promise<UploadSession | undefined>;
  /**
   * Appends a chunk streamed from `body`. With `start`, it must equal the session's size, else
   * BLOB_UPLOAD_INVALID with status 416 and nothing is written. With `length`, a body of another
   * length is SIZE_INVALID and the chunk is discarded. A failed chunk never leaves bytes behind.
   */
  appendUpload(uploadId: string, body: Readable, options?: AppendOptions): Promise<UploadSession>;
  /**
   * Verifies the whole upload against `digest` and moves it into place. A mismatch is
   * DIGEST_INVALID, removes the session and stores nothing.
   */
  completeUpload(uploadId: string, digest: string): Promise<{ digest: string; size: number }>;
  /** Drops a session and its bytes; false when there was none. */
  cancelUpload(uploadId: string): Promise<boolean>;
  /** Monolithic upload: streams `body` into a fresh session and completes it with `digest`. */
  putBlob(accountId: string, repository: string, digest: string, body: Readable, length?: number): Promise<{ digest: string; size: number }>;
  /**
   * Writes a blob's bytes `start..end` (inclusive) into `out` without ending it: how the registry serves a
   * blob, with no allocation per chunk (./file-range-writer.ts). Resolves early when `out` closes first.
   */
  writeTo(accountId: string, digest: string, range: { start: number; end: number }, out: Writable): Promise<void>;
  /** Removes upload sessions untouched for `maxAgeMs` (the spec lets registries time uploads out). */
  pruneUploads(maxAgeMs: number): Promise<number>;
}

/**
 * Bytes per read of `open()` streams (the scanner, replication). fs streams default to 64 KiB, which costs a
 * thread-pool read per 64 KiB; serving a blob over HTTP goes through `writeTo()` instead.
 */
const READ_CHUNK_BYTES = 1 << 20;

/** Options of {@link createBlobStore}. */
export interface BlobStoreOptions {
  /** The sandbox's data directory; blobs and uploads are created under it. */
  readonly dataDir: string;
}

/**
 * Creates the on-disk blob store.
 * @example
 * const blobs = createBlobStore({ dataDir: '/var/lib/labrunner/sandbox' });
 * const s = await blobs.startUpload('111111111111', 'myrepo');
 * await blobs.appendUpload(s.id, req);
 * await blobs.completeUpload(s.id, 'sha256:…');
 */
export function createBlobStore(options: BlobStoreOptions): BlobStore {
  const blobsDir = join(options.dataDir, 'blobs');
  const uploads = new UploadSessions(join(options.dataDir, 'uploads'));

  /** The only place a blob path is built: both parts are validated, so it cannot leave `blobsDir`. */
  function blobPath(accountId: string, digest: string): string | undefined {
    const hex = digestHex(digest);
    if (hex === undefined || !isAccountId(accountId)) return undefined;
    return join(blobsDir, accountId, 'sha256', hex.slice(0, 2), hex);
  }

  async function size(accountId: string, digest: string): Promise<number | undefined> {
    const path = blobPath(accountId, digest);
    if (path === undefined) return undefined;
    try {
      const st = await stat(path);
      return st.isFile() ? st.size : undefined;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async function completeUpload(uploadId: string, digest: string): Promise<{ digest: string; size: number }> {
    return uploads.withSession(uploadId, async (session) => {
      const target = blobPath(session.accountId, digest);
      if (target === undefined) {
        await uploads.remove(uploadId);
        throw new RegistryError('DIGEST_INVALID', 'provided digest did not match uploaded content', { digest, reason: 'only sha256 digests are supported' });
      }
      const { digest: actual, size: total, dataPath } = await uploads.finish(session);
      if (actual !== digest) {
        await uploads.remove(uploadId);
        throw new RegistryError('DIGEST_INVALID', 'provided digest did not match uploaded content', { expected: digest, actual });
      }
      await mkdir(join(target, '..'), { recursive: true });
      // Same file system, so rename is atomic: readers see no blob or the whole blob. If another upload
      // committed the same content first, this replaces it with identical bytes.
      await rename(dataPath, target);
      await uploads.remove(uploadId);
      return { digest, size: total };
    });
  }

  return {
    async has(accountId, digest) {
      return (await size(accountId, digest)) !== undefined;
    },
    size,
    open(accountId, digest, range) {
      const path = blobPath(accountId, digest);
      if (path === undefined) throw new RegistryError('BLOB_UNKNOWN', 'blob unknown to registry', { digest });
      return createReadStream(path, range === undefined ? { highWaterMark: READ_CHUNK_BYTES } : { start: range.start, end: range.end, highWaterMark: READ_CHUNK_BYTES });
    },
    writeTo(accountId, digest, range, out) {
      const path = blobPath(accountId, digest);
      if (path === undefined) throw new RegistryError('BLOB_UNKNOWN', 'blob unknown to registry', { digest });
      return writeFileRange(path, range, out);
    },
    async startUpload(accountId, repository) {
      if (!isAccountId(accountId)) throw new RegistryError('DENIED', 'invalid account id');
      return uploads.start(accountId, repository);
    },
    getUpload: (uploadId) => uploads.get(uploadId),
    appendUpload: (uploadId, body, opts) => uploads.append(uploadId, body, opts ?? {}),
    completeUpload,
    async cancelUpload(uploadId) {
      // Under the session's lock, so a cancel never races a chunk that is still being written.
      return uploads.withSession(uploadId, () => uploads.remove(uploadId)).catch((err: unknown) => {
        if (err instanceof RegistryError && err.code === 'BLOB_UPLOAD_UNKNOWN') return false;
        throw err;
      });
    },
    async putBlob(accountId, repository, digest, body, length) {
      if (!isAccountId(accountId)) throw new RegistryError('DENIED', 'invalid account id');
      const session = await uploads.start(accountId, repository);
      try {
        await uploads.append(session.id, body, length === undefined ? {} : { length });
      } catch (err) {
        await uploads.remove(session.id);
        throw err;
      }
      return completeUpload(session.id, digest);
    },
    pruneUploads: (maxAgeMs) => uploads.prune(maxAgeMs),
  };
}

function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}
