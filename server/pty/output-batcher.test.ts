import { describe, expect, it } from 'vitest';
import { OutputBatcher } from './output-batcher.ts';

const tick = () => new Promise((r) => setImmediate(r));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('OutputBatcher', () => {
  it('sends interactive output at the end of the tick, merged into one frame', async () => {
    const frames: string[] = [];
    const b = new OutputBatcher((f) => frames.push(f.toString()));
    b.push(Buffer.from('h'));
    b.push(Buffer.from('i'));
    expect(frames).toEqual([]);
    await tick();
    expect(frames).toEqual(['hi']);
    b.dispose();
  });

  it('merges output under load instead of sending a frame per chunk', async () => {
    const frames: Buffer[] = [];
    const b = new OutputBatcher((f) => frames.push(f), { interactiveBytes: 100, maxDelayMs: 20 });
    for (let i = 0; i < 50; i++) {
      b.push(Buffer.alloc(1000, 97));
      await tick();
    }
    await sleep(30);
    const total = frames.reduce((n, f) => n + f.length, 0);
    expect(total).toBe(50_000);
    expect(frames.length).toBeLessThan(25);
    b.dispose();
  });

  it('never builds a frame larger than the cap', () => {
    const frames: Buffer[] = [];
    const b = new OutputBatcher((f) => frames.push(f), { maxFrameBytes: 4096 });
    for (let i = 0; i < 10; i++) b.push(Buffer.alloc(1024));
    expect(frames.length).toBe(2);
    expect(frames.every((f) => f.length <= 4096)).toBe(true);
    b.dispose();
  });

  it('flushes what is pending when disposed', () => {
    const frames: string[] = [];
    const b = new OutputBatcher((f) => frames.push(f.toString()));
    b.push(Buffer.from('bye'));
    b.dispose();
    expect(frames).toEqual(['bye']);
    b.push(Buffer.from('late'));
    expect(frames).toEqual(['bye']);
  });
});
