/**
 * Offsets to `line:column` and other plain-text facts about a lab file. Lines and columns are 1-based;
 * columns count UTF-16 code units, as editors that jump to `file:line:col` expect for the BMP.
 */

/** The largest lab.md accepted (1 MiB): beyond it a lab is almost surely a mistake, and parsing is refused. */
export const MAX_LAB_BYTES = 1024 * 1024;

/** Maps offsets in a text to 1-based lines and columns. */
export class LineIndex {
  private readonly _starts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this._starts.push(i + 1);
  }

  get lineCount(): number {
    return this._starts.length;
  }

  /** The 1-based line and column of `offset`. */
  position(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this._starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this._starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this._starts[lo]! + 1 };
  }

  /** The offset where 1-based `line` starts. */
  lineStart(line: number): number {
    return this._starts[Math.min(Math.max(line, 1), this._starts.length) - 1]!;
  }

  /** The text of 1-based `line`, without its newline. */
  lineText(line: number): string {
    if (line < 1 || line > this._starts.length) return '';
    const start = this._starts[line - 1]!;
    const next = this._starts[line];
    return this.text.slice(start, next === undefined ? this.text.length : next - 1);
  }
}

/** UTF-8 size of a string, without TextEncoder (the core is compiled without DOM or Node types). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * The offset of the first character that shows the text is not a text file: a NUL, another C0 control
 * character that no editor writes, or U+FFFD (what a UTF-8 decoder puts where the bytes were not UTF-8).
 */
export function findBinaryContent(text: string): number | undefined {
  // eslint-disable-next-line no-control-regex
  const match = /[\u0000-\u0008\u000e-\u001a\u001c-\u001f\ufffd]/.exec(text);
  return match?.index;
}

/** Formats a byte count for messages: `1.5 MiB`, `900 KiB`. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MiB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KiB`;
  return `${bytes} bytes`;
}
