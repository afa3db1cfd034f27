import { describe, expect, it } from 'vitest';
import { SharedByteRing } from './shared-byte-ring.ts';

const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);
const read = (ring: SharedByteRing, r: { offset: number; length: number }) => [...new Uint8Array(ring.buffer, r.offset, r.length)];

describe('SharedByteRing', () => {
  it('copies bytes in and wraps a write around the end into two regions', () => {
    const ring = new SharedByteRing(10);
    const [a] = ring.write(bytes(6, 1))!;
    ring.release(a!.seq);
    const parts = ring.write(bytes(7, 2))!;
    expect(parts.map((p) => [p.offset, p.length])).toEqual([[6, 4], [0, 3]]);
    expect(parts.flatMap((p) => read(ring, p))).toEqual(Array(7).fill(2));
  });

  it('refuses a write that does not fit instead of overwriting unread bytes', () => {
    const ring = new SharedByteRing(10);
    ring.write(bytes(8, 1));
    expect(ring.write(bytes(3, 2))).toBeUndefined();
    expect(ring.used).toBe(8);
  });

  it('frees space only up to the oldest region still being read', () => {
    const ring = new SharedByteRing(10);
    const [a] = ring.write(bytes(4, 1))!;
    const [b] = ring.write(bytes(4, 2))!;
    ring.release(b!.seq); // read out of order: a is still in use
    expect(ring.used).toBe(8);
    ring.release(a!.seq);
    expect(ring.used).toBe(0);
  });
});
