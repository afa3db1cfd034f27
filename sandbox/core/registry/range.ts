/**
 * HTTP byte ranges: the `Range` header of blob GETs (RFC 9110 §14) and the `Content-Range` of
 * chunked uploads (distribution spec: `<start>-<end>`, inclusive, first chunk starting at 0).
 */

/** An inclusive byte range. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/**
 * What a blob GET with a `Range` header should answer:
 * - `full`: no usable Range (absent, not `bytes=`, or several ranges) — send the whole blob with 200;
 * - `partial`: send this range with 206;
 * - `unsatisfiable`: 416 with `Content-Range: bytes *\/<size>`.
 */
export type RangeDecision = { readonly kind: 'full' } | { readonly kind: 'partial'; readonly range: ByteRange } | { readonly kind: 'unsatisfiable' };

const SINGLE_RANGE = /^bytes=(\d*)-(\d*)$/;

/**
 * Decides how to answer `Range: <header>` for a blob of `size` bytes.
 * @example parseRangeHeader('bytes=500-1499', 2048) // { kind: 'partial', range: { start: 500, end: 1499 } }
 */
export function parseRangeHeader(header: string | undefined, size: number): RangeDecision {
  if (header === undefined) return { kind: 'full' };
  const m = SINGLE_RANGE.exec(header.trim());
  // Multiple ranges or other units: RFC 9110 lets a server ignore the header and send everything.
  if (!m) return { kind: 'full' };
  const [, first = '', last = ''] = m;
  if (first === '' && last === '') return { kind: 'full' };
  if (first === '') {
    // Suffix range: the last N bytes.
    const n = Number(last);
    if (n === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', range: { start: Math.max(0, size - n), end: size - 1 } };
  }
  const start = Number(first);
  if (!Number.isSafeInteger(start) || start >= size) return { kind: 'unsatisfiable' };
  if (last === '') return { kind: 'partial', range: { start, end: size - 1 } };
  const end = Number(last);
  if (!Number.isSafeInteger(end) || end < start) return { kind: 'unsatisfiable' };
  return { kind: 'partial', range: { start, end: Math.min(end, size - 1) } };
}

// Clients send `0-99`; some older ones `bytes 0-99/*` or `bytes=0-99`. Accept all three.
const UPLOAD_RANGE = /^(?:bytes[ =])?(\d+)-(\d+)(?:\/(?:\d+|\*))?$/;

/** Parses a chunk's `Content-Range`; undefined when malformed or when end < start. */
export function parseUploadContentRange(header: string): ByteRange | undefined {
  const m = UPLOAD_RANGE.exec(header.trim());
  if (!m) return undefined;
  const start = Number(m[1]);
  const end = Number(m[2]);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end < start) return undefined;
  return { start, end };
}

/**
 * The `Range` header of upload responses: `0-<last byte>`. With nothing uploaded yet it is `0-0`,
 * as the reference registry (distribution) sends it; clients read the offset from it.
 */
export function uploadRangeHeader(size: number): string {
  return `0-${Math.max(0, size - 1)}`;
}
