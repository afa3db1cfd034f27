import { describe, expect, it } from 'vitest';
import { parseRangeHeader, parseUploadContentRange, uploadRangeHeader } from './range.ts';

describe('parseRangeHeader', () => {
  // The cases of the OCI conformance suite's "range requests" checks, on a 2048-byte blob.
  it.each([
    ['bytes=500-1499', { kind: 'partial', range: { start: 500, end: 1499 } }],
    ['bytes=500-', { kind: 'partial', range: { start: 500, end: 2047 } }],
    ['bytes=-500', { kind: 'partial', range: { start: 1548, end: 2047 } }],
    ['bytes=2000-5000', { kind: 'partial', range: { start: 2000, end: 2047 } }],
    ['bytes=500-0', { kind: 'unsatisfiable' }],
    ['bytes=5000-10000', { kind: 'unsatisfiable' }],
  ])('answers %s as the spec expects', (header, expected) => {
    expect(parseRangeHeader(header, 2048)).toEqual(expected);
  });

  it('ignores absent, multi-range and non-byte ranges', () => {
    expect(parseRangeHeader(undefined, 10)).toEqual({ kind: 'full' });
    expect(parseRangeHeader('bytes=0-1,3-4', 10)).toEqual({ kind: 'full' });
    expect(parseRangeHeader('items=0-1', 10)).toEqual({ kind: 'full' });
  });

  it('cannot satisfy any range of an empty blob', () => {
    expect(parseRangeHeader('bytes=0-', 0)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRangeHeader('bytes=-1', 0)).toEqual({ kind: 'unsatisfiable' });
  });
});

describe('parseUploadContentRange', () => {
  it('accepts the spec form and the older bytes forms', () => {
    expect(parseUploadContentRange('0-99')).toEqual({ start: 0, end: 99 });
    expect(parseUploadContentRange('bytes 100-199/*')).toEqual({ start: 100, end: 199 });
    expect(parseUploadContentRange('bytes=5-5')).toEqual({ start: 5, end: 5 });
  });

  it('rejects malformed or inverted ranges', () => {
    expect(parseUploadContentRange('5-1')).toBeUndefined();
    expect(parseUploadContentRange('-5')).toBeUndefined();
    expect(parseUploadContentRange('abc')).toBeUndefined();
  });

  it('reports the last uploaded byte, 0-0 when empty', () => {
    expect(uploadRangeHeader(0)).toBe('0-0');
    expect(uploadRangeHeader(100)).toBe('0-99');
  });
});
