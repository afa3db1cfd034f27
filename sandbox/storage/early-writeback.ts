/**
 * Starts writing a file that is still growing back to disk, so that the fsync which must come before a blob
 * becomes visible has only the last few MiB left to flush. On a 256 MiB push that final fsync alone took
 * ~115 ms of the push's ~0.9 s; with writeback started every 32 MiB it is a few ms, and the disk works while
 * the network does (bench/registry.ts, docs/benchmarks.md). Durability is unchanged: the blob is still
 * fsynced before its rename (./uploads.ts, finish()).
 */
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';

/** Bytes appended between two writeback starts. */
export const WRITEBACK_EVERY_BYTES = 32 << 20;

export class EarlyWriteback {
  private _running: Promise<void> | undefined;
  private _nextAt: number;

  private constructor(private readonly _file: FileHandle, startSize: number) {
    this._nextAt = startSize + WRITEBACK_EVERY_BYTES;
  }

  /** Follows the file at `path`, which has `startSize` bytes now. fdatasync needs no write access. */
  static async follow(path: string, startSize: number): Promise<EarlyWriteback> {
    return new EarlyWriteback(await open(path, 'r'), startSize);
  }

  /** Tells how many bytes the file has been given so far; starts a writeback when due and none is running. */
  grew(size: number): void {
    if (size < this._nextAt || this._running !== undefined) return;
    this._nextAt = size + WRITEBACK_EVERY_BYTES;
    // Errors are left to the final fsync, which reports them; this one only saves it work.
    this._running = this._file.datasync().then(
      () => undefined,
      () => undefined,
    ).finally(() => {
      this._running = undefined;
    });
  }

  /** Waits for a running writeback and lets go of the file. */
  async close(): Promise<void> {
    await this._running;
    await this._file.close();
  }
}
