/**
 * Upload sessions of the blob store, one directory each: `<uploadsDir>/<uuid>/state.json` (who and
 * when) and `<uploadsDir>/<uuid>/data` (the bytes so far). The file on disk is the truth, so a session
 * survives a restart; the running sha256 is kept in memory as an optimisation and recomputed from the
 * file when it is missing (after a restart) — never by holding a layer in memory.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readFile, readdir, rename, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { RegistryError, isUploadId } from '../core/registry/index.ts';
import { EarlyWriteback } from './early-writeback.ts';

/** Bytes an upload may hold in memory at each of its two stream stages (see append()). */
const UPLOAD_BUFFER_BYTES = 1 << 20;

/** An upload session as the registry sees it. */
export interface UploadSession {
  readonly id: string;
  readonly accountId: string;
  readonly repository: string;
  /** Bytes received so far. */
  readonly size: number;
  readonly startedAt: number; // epoch ms
}

/** How a chunk is checked before it is kept. */
export interface AppendOptions {
  /** The offset the client says this chunk starts at (`Content-Range`); must equal the current size. */
  readonly start?: number;
  /** The chunk's declared length (`Content-Length` or the range's length); must equal what arrives. */
  readonly length?: number;
}

interface StoredState {
  readonly accountId: string;
  readonly repository: string;
  readonly startedAt: number;
}

/** Manages the session directories; every mutation of one session runs under that session's lock. */
export class UploadSessions {
  private readonly _hashes = new Map<string, { hash: Hash; offset: number }>();
  private readonly _locks = new Map<string, Promise<unknown>>();

  constructor(private readonly _dir: string) {}

  /** Paths of a session; undefined for an id that is not one of ours (so never a path outside `_dir`). */
  private _paths(id: string): { dir: string; state: string; data: string } | undefined {
    if (!isUploadId(id)) return undefined;
    const dir = join(this._dir, id);
    return { dir, state: join(dir, 'state.json'), data: join(dir, 'data') };
  }

  async start(accountId: string, repository: string): Promise<UploadSession> {
    const id = randomUUID();
    const paths = this._paths(id)!;
    await mkdir(paths.dir, { recursive: true });
    const state: StoredState = { accountId, repository, startedAt: Date.now() };
    await writeFile(paths.data, '');
    // state.json appears last and atomically: a directory without it is an unfinished start.
    await writeFile(`${paths.state}.tmp`, JSON.stringify(state));
    await rename(`${paths.state}.tmp`, paths.state);
    this._hashes.set(id, { hash: createHash('sha256'), offset: 0 });
    return { id, ...state, size: 0 };
  }

  async get(id: string): Promise<UploadSession | undefined> {
    const paths = this._paths(id);
    if (paths === undefined) return undefined;
    try {
      const state = JSON.parse(await readFile(paths.state, 'utf8')) as StoredState;
      const { size } = await stat(paths.data);
      return { id, accountId: state.accountId, repository: state.repository, startedAt: state.startedAt, size };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  /** Runs `fn` on the session under its lock; BLOB_UPLOAD_UNKNOWN when there is no such session. */
  async withSession<T>(id: string, fn: (session: UploadSession) => Promise<T>): Promise<T> {
    const previous = this._locks.get(id) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(async () => {
      const session = await this.get(id);
      if (session === undefined) throw new RegistryError('BLOB_UPLOAD_UNKNOWN', 'blob upload unknown to registry');
      return fn(session);
    });
    this._locks.set(id, run);
    try {
      return await run;
    } finally {
      if (this._locks.get(id) === run) this._locks.delete(id);
    }
  }

  append(id: string, body: Readable, options: AppendOptions): Promise<UploadSession> {
    return this.withSession(id, async (session) => {
      if (options.start !== undefined && options.start !== session.size) {
        throw new RegistryError('BLOB_UPLOAD_INVALID', `chunk starts at ${options.start} but ${session.size} bytes were received so far`, { offset: session.size }, { status: 416 });
      }
      const paths = this._paths(id)!;
      const tracked = this._hashes.get(id);
      // Hash a copy: a chunk that fails must not advance the running digest.
      const hash = tracked !== undefined && tracked.offset === session.size ? tracked.hash.copy() : undefined;
      let written = 0;
      const writeback = await EarlyWriteback.follow(paths.data, session.size);
      const meter = new Transform({
        // With 16 KiB (the default) here and in the file stream, the request stops being read while one 64 KiB
        // write is in the thread pool; 1 MiB lets the socket keep flowing. At most ~2 MiB per upload wait here,
        // and only while the disk is slower than the network.
        highWaterMark: UPLOAD_BUFFER_BYTES,
        transform(chunk: Buffer, _enc, callback) {
          written += chunk.length;
          if (options.length !== undefined && written > options.length) {
            callback(new RegistryError('SIZE_INVALID', `chunk is larger than its declared length ${options.length}`));
            return;
          }
          hash?.update(chunk);
          writeback.grew(session.size + written);
          callback(null, chunk);
        },
      });
      try {
        await pipeline(body, meter, createWriteStream(paths.data, { flags: 'a', highWaterMark: UPLOAD_BUFFER_BYTES }));
        if (options.length !== undefined && written !== options.length) {
          throw new RegistryError('SIZE_INVALID', `received ${written} bytes but the chunk declared ${options.length}`);
        }
      } catch (err) {
        // All or nothing per chunk: cut the file back so the session's offset stays what the client knows.
        await truncate(paths.data, session.size);
        throw err;
      } finally {
        await writeback.close();
      }
      if (hash !== undefined) this._hashes.set(id, { hash, offset: session.size + written });
      else this._hashes.delete(id);
      return { ...session, size: session.size + written };
    });
  }

  /** Syncs the bytes to disk and returns their digest, reusing the running hash when it is current. */
  async finish(session: UploadSession): Promise<{ digest: string; size: number; dataPath: string }> {
    const paths = this._paths(session.id)!;
    const tracked = this._hashes.get(session.id);
    let hex: string;
    if (tracked !== undefined && tracked.offset === session.size) {
      hex = tracked.hash.copy().digest('hex');
    } else {
      const hash = createHash('sha256');
      await pipeline(createReadStream(paths.data), async function* (source: AsyncIterable<Buffer>) {
        for await (const chunk of source) hash.update(chunk);
      });
      hex = hash.digest('hex');
    }
    const fh = await open(paths.data, 'r+');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    return { digest: `sha256:${hex}`, size: session.size, dataPath: paths.data };
  }

  /** Deletes a session's directory; false when it did not exist. */
  async remove(id: string): Promise<boolean> {
    const paths = this._paths(id);
    if (paths === undefined) return false;
    this._hashes.delete(id);
    try {
      await stat(paths.dir);
    } catch {
      return false;
    }
    await rm(paths.dir, { recursive: true, force: true });
    return true;
  }

  /** Removes sessions whose bytes were last touched more than `maxAgeMs` ago; returns how many. */
  async prune(maxAgeMs: number): Promise<number> {
    let entries: string[];
    try {
      entries = await readdir(this._dir);
    } catch {
      return 0;
    }
    const cutoff = Date.now() - maxAgeMs;
    let removed = 0;
    for (const id of entries) {
      const paths = this._paths(id);
      if (paths === undefined || this._locks.has(id)) continue;
      const touched = await stat(paths.data).then((s) => s.mtimeMs, () => 0);
      if (touched < cutoff && (await this.remove(id))) removed++;
    }
    return removed;
  }
}
