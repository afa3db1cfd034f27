import type { IDisposable } from '../core/lifecycle.ts';

/** Tuning of {@link OutputBatcher}; defaults measured in docs/benchmarks.md. */
export interface BatcherOptions {
  /** How long output may be held back under load. */
  maxDelayMs: number;
  /** A frame never grows past this. */
  maxFrameBytes: number;
  /** Below this many bytes in the last `maxDelayMs`, the terminal counts as interactive. */
  interactiveBytes: number;
}

const DEFAULTS: BatcherOptions = { maxDelayMs: 5, maxFrameBytes: 256 * 1024, interactiveBytes: 16 * 1024 };

/**
 * Merges pty output into fewer, larger frames without delaying echo.
 * Interactive output (little sent recently) goes out at the end of the current tick; under load, output is
 * merged for up to `maxDelayMs` or `maxFrameBytes`. A fixed timer would cost every keystroke its delay
 * (../shared/terminal-notes.md, technique 2).
 */
export class OutputBatcher implements IDisposable {
  private readonly _opts: BatcherOptions;
  private _pending: Buffer[] = [];
  private _pendingBytes = 0;
  private _timer: NodeJS.Timeout | undefined;
  private _immediate: NodeJS.Immediate | undefined;
  private _windowStart = 0;
  private _windowBytes = 0;
  private _disposed = false;

  constructor(
    private readonly _emit: (frame: Buffer) => void,
    options: Partial<BatcherOptions> = {},
  ) {
    this._opts = { ...DEFAULTS, ...options };
  }

  push(chunk: Buffer): void {
    if (this._disposed || chunk.length === 0) return;
    this._pending.push(chunk);
    this._pendingBytes += chunk.length;
    if (this._pendingBytes >= this._opts.maxFrameBytes) {
      this.flush();
      return;
    }
    if (this._timer || this._immediate) return;
    const now = performance.now();
    if (now - this._windowStart > this._opts.maxDelayMs) {
      this._windowStart = now;
      this._windowBytes = 0;
    }
    if (this._windowBytes < this._opts.interactiveBytes) {
      this._immediate = setImmediate(() => this.flush());
    } else {
      this._timer = setTimeout(() => this.flush(), this._opts.maxDelayMs);
    }
  }

  /** Sends whatever is pending now. */
  flush(): void {
    this._cancelScheduled();
    if (this._pendingBytes === 0) return;
    const frame = this._pending.length === 1 ? this._pending[0]! : Buffer.concat(this._pending, this._pendingBytes);
    this._windowBytes += this._pendingBytes;
    this._pending = [];
    this._pendingBytes = 0;
    this._emit(frame);
  }

  dispose(): void {
    if (this._disposed) return;
    this.flush();
    this._disposed = true;
  }

  private _cancelScheduled(): void {
    if (this._timer) clearTimeout(this._timer);
    if (this._immediate) clearImmediate(this._immediate);
    this._timer = undefined;
    this._immediate = undefined;
  }
}
