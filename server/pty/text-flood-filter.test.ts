import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { ScreenMirrorThread } from './screen-mirror-thread.ts';
import { isPlainText, TextFloodFilter } from './text-flood-filter.ts';

const thread = new ScreenMirrorThread();
afterAll(() => thread.dispose());

/** The same output into an exact mirror and a filtered one: their replays must be the same. */
async function both(frames: Buffer[], cols = 80, rows = 24, scrollback = 1000) {
  const exact = thread.create(cols, rows, scrollback, { exact: true });
  const filtered = thread.create(cols, rows, scrollback) as TextFloodFilter;
  for (const f of frames) {
    exact.write(f);
    filtered.write(f);
  }
  const result = { exact: await exact.snapshot(), filtered: await filtered.snapshot(), skipped: filtered.skippedBytes };
  exact.dispose();
  filtered.dispose();
  return result;
}

/** `n` bytes of base64 lines as a pty shows them (CRLF), cut into frames of `frameBytes`. */
function base64Flood(n: number, frameBytes: number, start = ''): Buffer[] {
  let text = start;
  while (text.length < n) text += randomBytes(57).toString('base64') + '\r\n';
  const all = Buffer.from(text);
  const frames: Buffer[] = [];
  for (let i = 0; i < all.length; i += frameBytes) frames.push(all.subarray(i, i + frameBytes));
  return frames;
}

describe('TextFloodFilter', () => {
  it('replays a plain-text flood exactly as a mirror that parsed every byte, having parsed a fraction', async () => {
    const r = await both(base64Flood(3_000_000, 65_536, '\x1b[1;32mprompt\x1b[0m$ base64\r\n'));
    expect(r.filtered).toBe(r.exact);
    expect(r.skipped).toBeGreaterThan(2_500_000);
  });

  it('keeps what the last lines cannot push out: a progress bar redrawn with CR after a long listing', async () => {
    const listing = base64Flood(400_000, 32_768);
    let bar = '';
    for (let i = 0; i < 20_000; i++) bar += `\rprogress ${i % 100}%`;
    const barFrames = [Buffer.from(bar.slice(0, bar.length / 2)), Buffer.from(bar.slice(bar.length / 2))];
    const r = await both([...listing, ...barFrames]);
    expect(r.filtered).toBe(r.exact);
  });

  it('passes escape sequences on in order, with the text around them', async () => {
    const frames = [...base64Flood(500_000, 50_000), Buffer.from('\x1b[31mred\x1b[0m\r\n\x1b[?1049h'), ...base64Flood(500_000, 50_000), Buffer.from('\x1b[?1049l')];
    const r = await both(frames);
    expect(r.filtered).toBe(r.exact);
  });

  it('holds no more than a bounded amount of text that has no line feeds', async () => {
    const line = Buffer.alloc(100_000, 'y');
    const exact = thread.create(80, 24, 1000, { exact: true });
    const filtered = thread.create(80, 24, 1000) as TextFloodFilter;
    for (let i = 0; i < 30; i++) {
      exact.write(line);
      filtered.write(line);
    }
    expect((filtered as unknown as { _heldBytes: number })._heldBytes).toBeLessThanOrEqual(1024 * 1024);
    expect(await filtered.snapshot()).toBe(await exact.snapshot());
    exact.dispose();
    filtered.dispose();
  });

  it('follows a resize', async () => {
    const exact = thread.create(80, 24, 100, { exact: true });
    const filtered = thread.create(80, 24, 100);
    for (const f of base64Flood(200_000, 10_000)) {
      exact.write(f);
      filtered.write(f);
    }
    exact.resize(40, 10);
    filtered.resize(40, 10);
    for (const f of base64Flood(200_000, 10_000)) {
      exact.write(f);
      filtered.write(f);
    }
    expect(await filtered.snapshot()).toBe(await exact.snapshot());
    exact.dispose();
    filtered.dispose();
  });

  it('calls text plain only when nothing in it changes terminal state', () => {
    expect(isPlainText(Buffer.from('hello\r\nworld\t!'))).toBe(true);
    expect(isPlainText(Buffer.from('\x1b[31mred'))).toBe(false);
    expect(isPlainText(Buffer.from('shift\x0eout'))).toBe(false);
    expect(isPlainText(Buffer.from('C1 \u009b control'))).toBe(false);
  });
});
