import { describe, expect, it } from 'vitest';
import { AckWindow } from './flow-control.ts';

describe('AckWindow', () => {
  it('blocks once more than the high watermark is unacknowledged and unblocks only below the low one', () => {
    const w = new AckWindow(100, 40);
    expect(w.sent(60)).toBe(false);
    expect(w.sent(50)).toBe(true);
    expect(w.blocked).toBe(true);
    expect(w.acked(50)).toBe(false); // 60 left: still above LOW
    expect(w.blocked).toBe(true);
    expect(w.acked(30)).toBe(true); // 30 < 40
    expect(w.blocked).toBe(false);
  });

  it('reports crossing the high watermark once, not on every send', () => {
    const w = new AckWindow(10, 5);
    expect(w.sent(11)).toBe(true);
    expect(w.sent(11)).toBe(false);
  });

  it('does not let a client acknowledge more than it was sent', () => {
    const w = new AckWindow(100, 40);
    w.sent(10);
    w.acked(1_000_000);
    expect(w.unacked).toBe(0);
    expect(w.sent(101)).toBe(true);
  });
});
