/**
 * Commands a learner ran, as their own shell reports them (issue #6, the dashboard's command timeline).
 *
 * A recorded shell's prompt hook (server/workspace/record-commands.bash) writes, after each command, a private
 * OSC escape sequence into the terminal output:
 *
 *     ESC ] 6973 ; cmd ; <exit status, decimal> ; <command line, escaped> BEL
 *
 * The command line is UTF-8 with `%`, the C0 controls and DEL written as `%XX` (so the sequence holds no BEL,
 * no ESC and no newline the pty would rewrite). A terminal would ignore the sequence; the server strips it
 * before anyone sees the output. This parser finds it in pty output chunks, also when it is split across
 * chunks, and leaves everything else byte for byte as it was.
 *
 * It is cooperative capture: the learner's shell writes it, so a learner can unset the hook or print a fake
 * sequence. It is for helping and reviewing, not a tamper-proof audit.
 */

/** One command the shell reported. */
export interface ShellCommandRecord {
  command: string;
  exitCode: number;
}

/** `ESC ] 6973 ; cmd ;` */
const PREFIX = [0x1b, 0x5d, 0x36, 0x39, 0x37, 0x33, 0x3b, 0x63, 0x6d, 0x64, 0x3b] as const;
const ESC = 0x1b;
const BEL = 0x07;
const SEMICOLON = 0x3b;
const PERCENT = 0x25;

/**
 * Longest sequence recognised, prefix and BEL included. The hook cuts commands to 2,000 characters (at most
 * 4 bytes each once encoded), so its sequences fit; anything longer is passed through untouched rather than
 * held back, which bounds what the parser keeps between chunks.
 */
export const MAX_SHELL_EVENT_BYTES = 8 * 1024 + 64;

/**
 * Scans a shell's output for command records. {@link push} returns the output without them and reports each
 * record to `onCommand`; a sequence cut off at the end of a chunk is held back (at most
 * {@link MAX_SHELL_EVENT_BYTES}) until the next chunk completes it, or until {@link flush} gives it up.
 */
export class ShellEventParser {
  private _carry: Uint8Array | undefined;

  constructor(
    private readonly _onCommand: (record: ShellCommandRecord) => void,
    private readonly _maxSequence = MAX_SHELL_EVENT_BYTES,
  ) {}

  /** True while the end of the last chunk is held back as the possible start of a record. */
  get holding(): boolean {
    return this._carry !== undefined;
  }

  /**
   * The chunk without the records it completes. When it holds no record and nothing was held back, this is
   * `chunk` itself (no copy); otherwise it may be a view of `chunk` or a new array.
   */
  push(chunk: Uint8Array): Uint8Array {
    const data = this._carry ? concat([this._carry, chunk]) : chunk;
    this._carry = undefined;
    let kept: Uint8Array[] | undefined; // pieces of output between records; allocated only once one is found
    let keepFrom = 0;
    let holdFrom = data.length;
    let i = data.indexOf(ESC);
    while (i !== -1) {
      const prefix = matchPrefix(data, i);
      if (prefix === 'no') {
        i = data.indexOf(ESC, i + 1);
        continue;
      }
      if (prefix === 'cut') {
        holdFrom = i;
        break;
      }
      const end = findTerminator(data, i + PREFIX.length, Math.min(data.length, i + this._maxSequence));
      if (end === 'open') {
        if (data.length - i < this._maxSequence) {
          holdFrom = i;
          break;
        }
        // Too long to be ours: pass it through as it is.
        i = data.indexOf(ESC, i + 1);
        continue;
      }
      if (end === 'broken') {
        i = data.indexOf(ESC, i + 1);
        continue;
      }
      (kept ??= []).push(data.subarray(keepFrom, i));
      keepFrom = end + 1;
      const record = decodeRecord(data.subarray(i + PREFIX.length, end));
      if (record) this._onCommand(record);
      i = data.indexOf(ESC, keepFrom);
    }
    if (holdFrom < data.length) this._carry = data.slice(holdFrom);
    if (!kept) return holdFrom === data.length ? data : data.subarray(0, holdFrom);
    kept.push(data.subarray(keepFrom, holdFrom));
    return concat(kept);
  }

  /** Gives up what is held back (the rest of that sequence never came): the bytes to pass on unchanged. */
  flush(): Uint8Array {
    const carry = this._carry ?? new Uint8Array(0);
    this._carry = undefined;
    return carry;
  }
}

/** Whether the prefix starts at `at`: fully, cut off by the end of the data, or not at all. */
function matchPrefix(data: Uint8Array, at: number): 'yes' | 'cut' | 'no' {
  for (let k = 0; k < PREFIX.length; k++) {
    if (at + k >= data.length) return 'cut';
    if (data[at + k] !== PREFIX[k]) return 'no';
  }
  return 'yes';
}

/**
 * The index of the BEL ending a record whose body starts at `from`; 'open' when the data (or the length
 * limit) ends first; 'broken' when another control byte comes first (not a record of ours).
 */
function findTerminator(data: Uint8Array, from: number, limit: number): number | 'open' | 'broken' {
  for (let k = from; k < limit; k++) {
    const b = data[k]!;
    if (b === BEL) return k;
    if (b < 0x20 || b === 0x7f) return 'broken';
  }
  return 'open';
}

/** `<exit>;<escaped command>`; undefined when the body is not well formed (the sequence is dropped anyway). */
function decodeRecord(body: Uint8Array): ShellCommandRecord | undefined {
  const semicolon = body.indexOf(SEMICOLON);
  if (semicolon < 1 || semicolon > 3) return undefined;
  let exitCode = 0;
  for (let k = 0; k < semicolon; k++) {
    const digit = body[k]! - 0x30;
    if (digit < 0 || digit > 9) return undefined;
    exitCode = exitCode * 10 + digit;
  }
  if (exitCode > 255) return undefined;
  return { exitCode, command: decodeUtf8(unescapePercent(body.subarray(semicolon + 1))) };
}

/** `%XX` back to the byte; a `%` not followed by two hex digits stays as it is. */
function unescapePercent(bytes: Uint8Array): Uint8Array {
  if (bytes.indexOf(PERCENT) === -1) return bytes;
  const out = new Uint8Array(bytes.length);
  let n = 0;
  for (let k = 0; k < bytes.length; k++) {
    const b = bytes[k]!;
    if (b === PERCENT && k + 2 < bytes.length) {
      const hi = hexValue(bytes[k + 1]!);
      const lo = hexValue(bytes[k + 2]!);
      if (hi >= 0 && lo >= 0) {
        out[n++] = hi * 16 + lo;
        k += 2;
        continue;
      }
    }
    out[n++] = b;
  }
  return out.subarray(0, n);
}

function hexValue(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x41 && b <= 0x46) return b - 0x41 + 10;
  if (b >= 0x61 && b <= 0x66) return b - 0x61 + 10;
  return -1;
}

/**
 * UTF-8 to a string. The pure core has no TextDecoder (its lib is plain ES2023), but decodeURIComponent is
 * a strict UTF-8 decoder: the fast path hands it every non-ASCII byte as `%XX`. Invalid UTF-8 (a learner's
 * Latin-1 file name) throws there; then each bad byte becomes U+FFFD and the rest is kept.
 */
function decodeUtf8(bytes: Uint8Array): string {
  try {
    return decodeURIComponent(percentEncoded(bytes, 0, bytes.length));
  } catch {
    let text = '';
    let k = 0;
    while (k < bytes.length) {
      const b = bytes[k]!;
      const length = b < 0x80 ? 1 : b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 0;
      if (length === 1) {
        text += String.fromCharCode(b);
        k += 1;
        continue;
      }
      try {
        if (length === 0 || k + length > bytes.length) throw new Error('invalid');
        text += decodeURIComponent(percentEncoded(bytes, k, k + length));
        k += length;
      } catch {
        text += '\ufffd';
        k += 1;
      }
    }
    return text;
  }
}

function percentEncoded(bytes: Uint8Array, from: number, to: number): string {
  let s = '';
  for (let k = from; k < to; k++) {
    const b = bytes[k]!;
    s += b < 0x80 && b !== PERCENT ? String.fromCharCode(b) : `%${b < 16 ? '0' : ''}${b.toString(16)}`;
  }
  return s;
}

function concat(parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
