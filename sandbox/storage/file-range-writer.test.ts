import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHUNK_BYTES, writeFileRange } from './file-range-writer.ts';

let dir: string;
let path: string;
const bytes = randomBytes(3 * CHUNK_BYTES + 12_345);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'file-range-writer-'));
  path = join(dir, 'blob');
  await writeFile(path, bytes);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * A slow consumer that keeps what it was given and checks, when it calls back, that the bytes it was handed
 * did not change meanwhile: the writer must not reuse a buffer that is still being written.
 */
function collector(): { out: Writable; received: () => Buffer; reusedTooEarly: () => boolean } {
  const parts: Buffer[] = [];
  let reused = false;
  const out = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      const copy = Buffer.from(chunk);
      parts.push(copy);
      setTimeout(() => {
        if (!chunk.equals(copy)) reused = true;
        callback();
      }, 2);
    },
  });
  return { out, received: () => Buffer.concat(parts), reusedTooEarly: () => reused };
}

describe('writeFileRange', () => {
  it('writes a whole multi-chunk file byte for byte, never touching a buffer before its write is done', async () => {
    const c = collector();
    await writeFileRange(path, { start: 0, end: bytes.length - 1 }, c.out);
    expect(c.received().equals(bytes)).toBe(true);
    expect(c.reusedTooEarly()).toBe(false);
  });

  it('writes exactly the requested range, across chunk boundaries', async () => {
    const c = collector();
    const range = { start: CHUNK_BYTES - 10, end: 2 * CHUNK_BYTES + 9 };
    await writeFileRange(path, range, c.out);
    expect(c.received().equals(bytes.subarray(range.start, range.end + 1))).toBe(true);
  });

  it('stops without an error when the consumer closes mid-way, even if it never calls back', async () => {
    let writes = 0;
    const out = new Writable({
      write() {
        writes++;
        // Never calls back, like a response whose socket was destroyed; then the consumer closes.
        if (writes === 1) setTimeout(() => out.destroy(), 5);
      },
    });
    await expect(writeFileRange(path, { start: 0, end: bytes.length - 1 }, out)).resolves.toBeUndefined();
    expect(writes).toBe(1);
  });

  it('rejects when the file is shorter than the range', async () => {
    const c = collector();
    await expect(writeFileRange(path, { start: 0, end: bytes.length + 100 }, c.out)).rejects.toThrow(/ends at byte/);
  });
});
