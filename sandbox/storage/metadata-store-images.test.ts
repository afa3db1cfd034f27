import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MetadataStore } from './metadata-store.ts';

const digest = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;

describe('ImageTable pages', () => {
  let dir: string;
  let store: MetadataStore;
  let repo: number;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'image-pages-'));
    store = MetadataStore.open(dir);
    repo = store.repositories.insert({ accountId: '111111111111', region: 'us-east-1', name: 'app', createdAt: 0, tagMutability: 'MUTABLE', scanOnPush: false, encryptionType: 'AES256', kmsKey: null }).id;
  });
  afterEach(() => {
    store.dispose();
    rmSync(dir, { recursive: true, force: true });
  });
  const push = (n: number, at: number) =>
    store.images.insert({ repositoryId: repo, digest: digest(n), mediaType: 'application/vnd.oci.image.manifest.v1+json', artifactMediaType: null, manifest: new Uint8Array([n]), size: n, pushedAt: at });
  const listed = () => store.images.page(repo, 'ANY', 0, 10).images.map(({ image, tags }) => `${image.digest.slice(7, 8)}:${tags.join(',')}:${image.scanStatus ?? '-'}`);

  it('every change to images or tags shows in the next page read, also when the same page was read before', () => {
    push(1, 1000);
    expect(listed()).toEqual(['1::-']);
    push(2, 2000);
    expect(listed()).toEqual(['2::-', '1::-']);
    store.images.setTag(repo, 'v1', digest(1));
    store.images.setTag(repo, 'a', digest(1));
    expect(listed()).toEqual(['2::-', '1:a,v1:-']);
    store.images.setTag(repo, 'v1', digest(2)); // the tag moves
    expect(listed()).toEqual(['2:v1:-', '1:a:-']);
    store.images.deleteTag(repo, 'a');
    expect(listed()).toEqual(['2:v1:-', '1::-']);
    store.images.touchPushedAt(repo, digest(1), 3000);
    expect(listed()).toEqual(['1::-', '2:v1:-']);
    store.images.updateScan(repo, digest(2), { status: 'COMPLETE', description: null, completedAt: 3500, findings: '[]', vulnerabilitySourceUpdatedAt: null });
    expect(listed()).toEqual(['1::-', '2:v1:COMPLETE']);
    store.images.delete(repo, digest(1));
    expect(listed()).toEqual(['2:v1:COMPLETE']);
  });

  it('filters by tag status, cuts pages and says when more follow', () => {
    for (let n = 1; n <= 5; n++) push(n, n * 1000);
    store.images.setTag(repo, 't', digest(3));
    const digits = (p: ReturnType<typeof store.images.page>) => p.images.map(({ image }) => image.digest.slice(7, 8)).join('');
    expect(digits(store.images.page(repo, 'ANY', 0, 2))).toBe('54');
    expect(store.images.page(repo, 'ANY', 0, 2).more).toBe(true);
    expect(digits(store.images.page(repo, 'ANY', 4, 2))).toBe('1');
    expect(store.images.page(repo, 'ANY', 4, 2).more).toBe(false);
    expect(digits(store.images.page(repo, 'TAGGED', 0, 10))).toBe('3');
    expect(digits(store.images.page(repo, 'UNTAGGED', 0, 10))).toBe('5421');
  });

  it('a page read inside a transaction that rolls back is not served afterwards', () => {
    push(1, 1000);
    expect(() =>
      store.transaction(() => {
        push(2, 2000);
        expect(listed()).toEqual(['2::-', '1::-']);
        throw new Error('roll back');
      }),
    ).toThrow('roll back');
    expect(listed()).toEqual(['1::-']);
  });
});
