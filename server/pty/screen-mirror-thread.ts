import { Worker } from 'node:worker_threads';
import { Emitter } from '../core/event.ts';
import { AckWindow } from '../core/flow-control.ts';
import type { IDisposable } from '../core/lifecycle.ts';
import type { IScreenMirror } from './screen-mirror.ts';
import { SharedByteRing } from './shared-byte-ring.ts';
import { TextFloodFilter } from './text-flood-filter.ts';

/** Messages to the worker (screen-mirror-worker.mjs). */
type ToWorker =
  | { type: 'open'; id: number; cols: number; rows: number; scrollback: number }
  /** Bytes in the shared ring (`seq` frees them), or, when the ring is full, a copy of their own. */
  | { type: 'write'; id: number; seq: number; offset: number; length: number }
  | { type: 'write'; id: number; seq: 0; data: Uint8Array }
  | { type: 'resize'; id: number; cols: number; rows: number }
  | { type: 'snapshot'; id: number; request: number }
  | { type: 'close'; id: number };

/** Messages from the worker. */
type FromWorker = { type: 'parsed'; id: number; seq: number; bytes: number } | { type: 'snapshot'; request: number; screen: string };

/**
 * A mirror may fall this far behind the shell before the shell is paused for it. One worker parses ~90 MB/s,
 * several times what one pty produces, so only many floods at once reach it.
 */
const MIRROR_WINDOW = { high: 1024 * 1024, low: 256 * 1024 } as const;

/**
 * Output goes to the worker through this much shared memory. A copy per frame would allocate 68 MB per
 * 68 MB flood, and V8 frees such buffers only at its next GC: the server's RSS grew by ~50 MB per flood.
 * Four mirrors' full windows fit; beyond that, frames travel as copies.
 */
const RING_BYTES = 4 * MIRROR_WINDOW.high;

/**
 * Every shell's screen mirror (@xterm/headless), parsed in ONE worker thread shared by all sessions.
 * Parsing every byte on the main thread cost as much CPU as the rest of the stream path (docs/benchmarks.md),
 * and a thread per session would cost a V8 isolate each — a classroom has 100 learners.
 * The worker starts with the first mirror and does not keep the process alive.
 */
export class ScreenMirrorThread implements IDisposable {
  private _worker: Worker | undefined;
  private _nextId = 1;
  private _nextRequest = 1;
  private readonly _mirrors = new Map<number, ThreadScreenMirror>();
  private readonly _snapshots = new Map<number, (screen: string) => void>();
  private readonly _ring = new SharedByteRing(RING_BYTES);
  private _disposed = false;

  constructor(private readonly _log: (msg: string, err?: unknown) => void = () => undefined) {}

  /**
   * A mirror of a `cols`×`rows` terminal keeping `scrollback` lines. Plain-text floods are thinned before the
   * thread parses them ({@link TextFloodFilter}) unless `exact` is asked for.
   */
  create(cols: number, rows: number, scrollback = 1000, options: { exact?: boolean } = {}): IScreenMirror {
    const mirror = new ThreadScreenMirror(this, this._nextId++);
    this._mirrors.set(mirror.id, mirror);
    this._post({ type: 'open', id: mirror.id, cols, rows, scrollback });
    return options.exact ? mirror : new TextFloodFilter(mirror, rows, scrollback);
  }

  dispose(): void {
    if (this._disposed) return;
    this._disposed = true;
    void this._worker?.terminate();
    this._worker = undefined;
    this._failPending();
  }

  /** @internal Returns false once the thread is gone. */
  _post(msg: ToWorker, transfer: ArrayBuffer[] = []): boolean {
    if (this._disposed) return false;
    this._ensureWorker().postMessage(msg, transfer);
    return true;
  }

  /** @internal Hands `data` to mirror `id`; false once the thread is gone. */
  _write(id: number, data: Uint8Array): boolean {
    if (this._disposed) return false;
    const regions = this._ring.write(data);
    if (regions) {
      for (const { seq, offset, length } of regions) this._post({ type: 'write', id, seq, offset, length });
      return true;
    }
    // Copied into an exact-size buffer and moved: a pty Buffer is often a view of a larger one, which
    // structured cloning would copy whole.
    const copy = new Uint8Array(data.byteLength);
    copy.set(data);
    return this._post({ type: 'write', id, seq: 0, data: copy }, [copy.buffer]);
  }

  /** @internal */
  _snapshot(id: number): Promise<string> {
    if (this._disposed || !this._worker) return Promise.resolve('');
    const request = this._nextRequest++;
    return new Promise((resolve) => {
      this._snapshots.set(request, resolve);
      this._post({ type: 'snapshot', id, request });
    });
  }

  /** @internal */
  _closed(id: number): void {
    this._mirrors.delete(id);
    this._post({ type: 'close', id });
  }

  private _ensureWorker(): Worker {
    if (this._worker) return this._worker;
    const worker = new Worker(new URL('./screen-mirror-worker.mjs', import.meta.url), {
      workerData: { ring: this._ring.buffer },
      // A flood's parsing allocates fast; with V8's default young generation the worker's heap grew by ~20 MiB
      // per flood and kept it. 2 MiB measured the same stream time (docs/benchmarks.md, Terminal).
      resourceLimits: { maxYoungGenerationSizeMb: 2 },
    });
    worker.unref();
    worker.on('message', (msg: FromWorker) => {
      if (msg.type === 'parsed') {
        if (msg.seq !== 0) this._ring.release(msg.seq);
        this._mirrors.get(msg.id)?._parsed(msg.bytes);
      } else {
        this._snapshots.get(msg.request)?.(msg.screen);
        this._snapshots.delete(msg.request);
      }
    });
    worker.on('error', (err) => {
      // Replay degrades to an empty screen; the shells themselves must keep running.
      this._log('the screen mirror thread failed; reattaching browsers will see an empty screen', err);
      this._disposed = true;
      this._failPending();
    });
    this._worker = worker;
    return worker;
  }

  private _failPending(): void {
    for (const resolve of this._snapshots.values()) resolve('');
    this._snapshots.clear();
    for (const mirror of this._mirrors.values()) mirror._parsed(Number.MAX_SAFE_INTEGER);
  }
}

class ThreadScreenMirror implements IScreenMirror {
  private readonly _window = new AckWindow(MIRROR_WINDOW.high, MIRROR_WINDOW.low);
  private readonly _onCaughtUp = new Emitter<void>();
  readonly onCaughtUp = this._onCaughtUp.event;
  private _disposed = false;

  constructor(
    private readonly _thread: ScreenMirrorThread,
    readonly id: number,
  ) {}

  get backlogged(): boolean {
    return this._window.blocked;
  }

  write(data: Uint8Array): void {
    if (!this._disposed && this._thread._write(this.id, data)) this._window.sent(data.byteLength);
  }

  resize(cols: number, rows: number): void {
    if (!this._disposed) this._thread._post({ type: 'resize', id: this.id, cols, rows });
  }

  snapshot(): Promise<string> {
    return this._disposed ? Promise.resolve('') : this._thread._snapshot(this.id);
  }

  /** @internal The worker parsed `bytes` more. */
  _parsed(bytes: number): void {
    if (this._window.acked(bytes)) this._onCaughtUp.fire();
  }

  dispose(): void {
    if (this._disposed) return;
    this._disposed = true;
    this._onCaughtUp.dispose();
    this._thread._closed(this.id);
  }
}
