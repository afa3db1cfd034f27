import { FLOW } from './protocol.ts';

/**
 * Acknowledgement watermarks for one terminal client (VS Code's terminal and ../shared/terminal-notes.md):
 * the pty is paused while this client has more than HIGH unacknowledged bytes and resumed below LOW.
 * Pure bookkeeping: the caller pauses and resumes.
 */
export class AckWindow {
  private _unacked = 0;
  private _blocked = false;

  constructor(
    private readonly _high: number = FLOW.HIGH_WATERMARK,
    private readonly _low: number = FLOW.LOW_WATERMARK,
  ) {}

  /** Bytes sent but not yet parsed by the client. */
  get unacked(): number {
    return this._unacked;
  }

  /** True while this client is too far behind for more output. */
  get blocked(): boolean {
    return this._blocked;
  }

  /** Records bytes sent; returns true when this send crossed the high watermark. */
  sent(bytes: number): boolean {
    this._unacked += bytes;
    if (!this._blocked && this._unacked > this._high) {
      this._blocked = true;
      return true;
    }
    return false;
  }

  /** Records an acknowledgement; returns true when the client just caught up below the low watermark. */
  acked(bytes: number): boolean {
    // A client cannot acknowledge more than it was sent; clamp instead of trusting it.
    this._unacked = Math.max(0, this._unacked - bytes);
    if (this._blocked && this._unacked < this._low) {
      this._blocked = false;
      return true;
    }
    return false;
  }

  /** Forget everything in flight (the client reattached and the screen was replayed). */
  reset(): void {
    this._unacked = 0;
    this._blocked = false;
  }
}
