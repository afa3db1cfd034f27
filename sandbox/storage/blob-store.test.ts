import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBlobStore } from './blob-store.ts';
import type { BlobStore } from './blob-store.ts';

const A = '111111111111';
const B = '222222222222';
const sha = (s: string | Buffer) => `sha256:${createHash('sha256').update(s).digest('hex')}`;

let dataDir: string;
let store: BlobStore;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'blob-store-'));
  store = createBlobStore({ dataDir });
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

async function listFiles(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  return (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

describe('blob store', () => {
  it('stores a monolithic upload under its digest and reads it back, whole or by range', async () => {
    const body = 'hello, registry';
    await store.putBlob(A, 'myrepo', sha(body), Readable.from([body]), body.length);
    const hex = sha(body).slice(7);
    expect(existsSync(join(dataDir, 'blobs', A, 'sha256', hex.slice(0, 2), hex))).toBe(true);
    expect(await store.size(A, sha(body))).toBe(body.length);
    expect(await text(store.open(A, sha(body)))).toBe(body);
    expect(await text(store.open(A, sha(body), { start: 7, end: 14 }))).toBe('registry');
    expect(await store.has(B, sha(body))).toBe(false); // blobs are shared within an account only
  });

  it('assembles chunks in order and verifies the digest of the whole', async () => {
    const s = await store.startUpload(A, 'myrepo');
    await store.appendUpload(s.id, Readable.from(['abc']), { start: 0, length: 3 });
    const after = await store.appendUpload(s.id, Readable.from(['def']), { start: 3, length: 3 });
    expect(after.size).toBe(6);
    expect(await store.completeUpload(s.id, sha('abcdef'))).toEqual({ digest: sha('abcdef'), size: 6 });
    expect(await store.getUpload(s.id)).toBeUndefined();
    expect(await listFiles(join(dataDir, 'uploads'))).toEqual([]);
  });

  it('refuses an out-of-order chunk with 416 and keeps the session as it was', async () => {
    const s = await store.startUpload(A, 'myrepo');
    await store.appendUpload(s.id, Readable.from(['abc']), { start: 0 });
    await expect(store.appendUpload(s.id, Readable.from(['xyz']), { start: 10 })).rejects.toMatchObject({ code: 'BLOB_UPLOAD_INVALID', status: 416 });
    expect((await store.getUpload(s.id))?.size).toBe(3);
  });

  it('stores nothing and drops the session when the digest does not match', async () => {
    const s = await store.startUpload(A, 'myrepo');
    await store.appendUpload(s.id, Readable.from(['real bytes']));
    await expect(store.completeUpload(s.id, sha('other bytes'))).rejects.toMatchObject({ code: 'DIGEST_INVALID', status: 400 });
    expect(await store.has(A, sha('real bytes'))).toBe(false);
    expect(await store.has(A, sha('other bytes'))).toBe(false);
    expect(await listFiles(dataDir)).toEqual([]);
  });

  it('discards a chunk whose length differs from the declared one', async () => {
    const s = await store.startUpload(A, 'myrepo');
    await store.appendUpload(s.id, Readable.from(['abc']));
    await expect(store.appendUpload(s.id, Readable.from(['toolong']), { length: 2 })).rejects.toMatchObject({ code: 'SIZE_INVALID' });
    await expect(store.appendUpload(s.id, Readable.from(['ab']), { length: 5 })).rejects.toMatchObject({ code: 'SIZE_INVALID' });
    expect((await store.getUpload(s.id))?.size).toBe(3);
    expect(await store.completeUpload(s.id, sha('abc'))).toMatchObject({ size: 3 });
  });

  it('leaves no blob and no partial chunk when the client disconnects mid-chunk', async () => {
    const s = await store.startUpload(A, 'myrepo');
    await store.appendUpload(s.id, Readable.from(['first-']));
    const broken = new Readable({
      read() {
        this.push(Buffer.alloc(1024, 1));
        this.destroy(new Error('socket hang up'));
      },
    });
    await expect(store.appendUpload(s.id, broken)).rejects.toThrow('socket hang up');
    expect((await store.getUpload(s.id))?.size).toBe(6);
    expect(await listFiles(join(dataDir, 'blobs'))).toEqual([]);
  });

  it('finishes a session started before a restart, re-hashing from disk', async () => {
    const s = await store.startUpload(A, 'team/app');
    await store.appendUpload(s.id, Readable.from(['part one, ']));
    const restarted = createBlobStore({ dataDir });
    expect(await restarted.getUpload(s.id)).toMatchObject({ accountId: A, repository: 'team/app', size: 10 });
    await restarted.appendUpload(s.id, Readable.from(['part two']), { start: 10 });
    expect(await restarted.completeUpload(s.id, sha('part one, part two'))).toMatchObject({ size: 18 });
    expect(await text(restarted.open(A, sha('part one, part two')))).toBe('part one, part two');
  });

  it('streams a 32 MiB blob from a generator into place', async () => {
    const chunk = Buffer.alloc(1 << 20, 7);
    const hash = createHash('sha256');
    for (let i = 0; i < 32; i++) hash.update(chunk);
    const digest = `sha256:${hash.digest('hex')}`;
    async function* gen() {
      for (let i = 0; i < 32; i++) yield chunk;
    }
    expect(await store.putBlob(A, 'big', digest, Readable.from(gen()))).toEqual({ digest, size: 32 << 20 });
  });

  it('never builds paths from bad digests, accounts or upload ids', async () => {
    expect(await store.has(A, 'sha256:../../../etc/passwd')).toBe(false);
    expect(await store.size('../../x', sha('a'))).toBeUndefined();
    expect(() => store.open(A, 'sha256:..')).toThrow(expect.objectContaining({ code: 'BLOB_UNKNOWN' }));
    expect(await store.getUpload('../blobs')).toBeUndefined();
    expect(await store.cancelUpload('../../')).toBe(false);
    await expect(store.startUpload('../etc', 'r')).rejects.toMatchObject({ code: 'DENIED' });
  });

  it('cancels sessions and prunes stale ones', async () => {
    const a = await store.startUpload(A, 'r1');
    const b = await store.startUpload(A, 'r1');
    expect(await store.cancelUpload(a.id)).toBe(true);
    expect(await store.cancelUpload(a.id)).toBe(false);
    expect(await store.pruneUploads(60_000)).toBe(0);
    expect(await store.pruneUploads(-1)).toBe(1);
    expect(await store.getUpload(b.id)).toBeUndefined();
  });
});
