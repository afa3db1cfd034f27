import type { IScreenMirror } from './screen-mirror.ts';

/**
 * Bytes after which a frame is not plain text for this filter: ESC (every escape sequence), SO and SI
 * (character set shifts), and 0xC2 (the UTF-8 lead byte of the C1 controls U+0080–U+009F; it also starts
 * ordinary Latin-1 letters such as "é", whose frames are then simply passed on).
 */
const STATEFUL_BYTES = [0x1b, 0x0e, 0x0f, 0xc2] as const;

/** Text with few line feeds (one endless line) is not thinned: past this much held, it all goes to the mirror. */
const MAX_HELD_BYTES = 1024 * 1024;

/** True when the bytes can only print text and move the cursor within lines: no modes, colours or charsets. */
export function isPlainText(data: Uint8Array): boolean {
  const buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  for (const b of STATEFUL_BYTES) if (buf.indexOf(b) !== -1) return false;
  return true;
}

/**
 * Spares the screen mirror the middle of a plain-text flood (`base64 /dev/urandom`, `cat big.log`).
 *
 * The mirror exists to replay the screen and scrollback on reattach, and parsing every byte of a 68 MB flood
 * with xterm.js costs a core for most of a second (docs/benchmarks.md, Terminal). Plain text changes no
 * terminal state but the cells it writes, and with no scroll region (that needs an escape sequence) each line
 * feed scrolls one line towards the scrollback: after (scrollback + rows) line feeds, nothing written before
 * them is on the screen or in the scrollback. This filter holds plain-text frames back, drops the oldest while
 * the frames after it hold that many line feeds, and hands everything else in order to the mirror before any
 * frame that is not plain text, before a snapshot, a resize and disposal. What the replay can lose: the first
 * line of the kept text may start from a different column (the cursor column at its start is not known) and a
 * UTF-8 character cut at the drop point shows as one replacement character — both in the oldest scrollback line.
 */
export class TextFloodFilter implements IScreenMirror {
  /** Plain-text frames not yet given to the mirror, each with its line feeds (counted up to `_keepLines`). */
  private _held: { data: Uint8Array; lines: number }[] = [];
  private _heldLines = 0;
  private _heldBytes = 0;
  private _keepLines: number;
  /** Bytes dropped so far (for tests and benchmarks). */
  skippedBytes = 0;

  constructor(
    private readonly _mirror: IScreenMirror,
    rows: number,
    private readonly _scrollback: number,
  ) {
    this._keepLines = _scrollback + rows;
  }

  get backlogged(): boolean {
    return this._mirror.backlogged;
  }

  get onCaughtUp() {
    return this._mirror.onCaughtUp;
  }

  write(data: Uint8Array): void {
    if (!isPlainText(data)) {
      this._flush();
      this._mirror.write(data);
      return;
    }
    const lines = lineFeeds(data, this._keepLines);
    this._held.push({ data, lines });
    this._heldLines += lines;
    this._heldBytes += data.byteLength;
    // The oldest frame goes when the frames after it push all of it out of the scrollback.
    while (this._held.length > 1 && this._heldLines - this._held[0]!.lines >= this._keepLines) {
      const dropped = this._held.shift()!;
      this._heldLines -= dropped.lines;
      this._heldBytes -= dropped.data.byteLength;
      this.skippedBytes += dropped.data.byteLength;
    }
    if (this._heldBytes > MAX_HELD_BYTES) this._flush();
  }

  resize(cols: number, rows: number): void {
    this._flush();
    this._keepLines = this._scrollback + rows;
    this._mirror.resize(cols, rows);
  }

  snapshot(): Promise<string> {
    this._flush();
    return this._mirror.snapshot();
  }

  dispose(): void {
    this._held = [];
    this._heldLines = 0;
    this._heldBytes = 0;
    this._mirror.dispose();
  }

  private _flush(): void {
    const held = this._held;
    if (held.length === 0) return;
    this._held = [];
    this._heldLines = 0;
    this._heldBytes = 0;
    for (const frame of held) this._mirror.write(frame.data);
  }
}

/** Line feeds in `data`, counting no further than `cap` (~10 ms for a whole 68 MB flood). */
function lineFeeds(data: Uint8Array, cap: number): number {
  const buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  let n = 0;
  let i = -1;
  while (n < cap && (i = buf.indexOf(0x0a, i + 1)) !== -1) n++;
  return n;
}
