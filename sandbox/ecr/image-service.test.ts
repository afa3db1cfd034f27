import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MetadataStore } from '../storage/metadata-store.ts';
import { ImageService, type ImagePushedEvent } from './image-service.ts';
import { sha256Digest } from './digest.ts';

const scope = { accountId: '111111111111', region: 'us-east-1' };
const manifest = (n: number) => {
  const text = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${'c'.repeat(64)}`, size: 10 },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: `sha256:${String(n).repeat(64).slice(0, 64)}`, size: 100 * n }],
  });
  const bytes = new TextEncoder().encode(text);
  return { digest: sha256Digest(bytes), mediaType: 'application/vnd.oci.image.manifest.v1+json', bytes };
};

describe('ImageService', () => {
  let dir: string;
  let store: MetadataStore;
  let svc: ImageService;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sbx-img-'));
    store = MetadataStore.open(dir);
    svc = new ImageService(store, () => 1_700_000_000_000);
  });
  afterEach(() => {
    svc.dispose();
    store.dispose();
    rmSync(dir, { recursive: true, force: true });
  });
  const createRepo = (tagMutability: 'MUTABLE' | 'IMMUTABLE' = 'MUTABLE') =>
    store.repositories.insert({ ...scope, name: 'app', createdAt: 0, tagMutability, scanOnPush: false, encryptionType: 'AES256', kmsKey: null });

  it('rejects a push to a missing repository with RepositoryNotFoundException', async () => {
    await expect(svc.putManifest(scope, 'app', manifest(1), 'v1')).rejects.toMatchObject({
      name: 'RepositoryNotFoundException',
      message: "The repository with name 'app' does not exist in the registry with id '111111111111'",
    });
  });

  it('stores a manifest by tag and finds it by tag and by digest', async () => {
    createRepo();
    const m = manifest(1);
    expect(await svc.putManifest(scope, 'app', m, 'v1')).toBe(m.digest);
    expect(svc.getManifest(scope, 'app', 'v1')?.digest).toBe(m.digest);
    expect(new TextDecoder().decode(svc.getManifest(scope, 'app', m.digest)!.bytes)).toBe(new TextDecoder().decode(m.bytes));
    expect(svc.listTags(scope, 'app')).toEqual(['v1']);
    expect(svc.getManifest({ ...scope, region: 'eu-west-1' }, 'app', 'v1')).toBeUndefined();
  });

  it('moves a mutable tag and leaves the old image untagged', async () => {
    createRepo();
    await svc.putManifest(scope, 'app', manifest(1), 'latest');
    await svc.putManifest(scope, 'app', manifest(2), 'latest');
    expect(svc.getManifest(scope, 'app', 'latest')?.digest).toBe(manifest(2).digest);
    expect(svc.getManifest(scope, 'app', manifest(1).digest)).toBeDefined();
  });

  it('refuses to move a tag in an IMMUTABLE repository, but accepts an identical re-push', async () => {
    createRepo('IMMUTABLE');
    await svc.putManifest(scope, 'app', manifest(1), 'v1');
    await expect(svc.putManifest(scope, 'app', manifest(1), 'v1')).resolves.toBe(manifest(1).digest);
    await expect(svc.putManifest(scope, 'app', manifest(2), 'v1')).rejects.toMatchObject({
      name: 'ImageTagAlreadyExistsException',
      message: "The image tag 'v1' already exists in the 'app' repository and cannot be overwritten because the repository is immutable.",
    });
  });

  it('fires onImagePushed once per change, not for a no-op re-push', async () => {
    createRepo();
    const events: ImagePushedEvent[] = [];
    svc.onImagePushed((e) => events.push(e));
    await svc.putManifest(scope, 'app', manifest(1), 'v1');
    await svc.putManifest(scope, 'app', manifest(1), 'v1');
    await svc.putManifest(scope, 'app', manifest(1), 'v2');
    expect(events.map((e) => [e.tag, e.newImage])).toEqual([['v1', true], ['v2', false]]);
  });

  it('deletes an image with all its tags', async () => {
    createRepo();
    await svc.putManifest(scope, 'app', manifest(1), 'a');
    await svc.putManifest(scope, 'app', manifest(1), 'b');
    expect(svc.deleteManifest(scope, 'app', manifest(1).digest)).toBe(true);
    expect(svc.listTags(scope, 'app')).toEqual([]);
    expect(svc.deleteManifest(scope, 'app', manifest(1).digest)).toBe(false);
  });

  it('rejects a digest that does not match the bytes', async () => {
    createRepo();
    const m = { ...manifest(1), digest: `sha256:${'0'.repeat(64)}` };
    await expect(svc.putManifest(scope, 'app', m, 'v1')).rejects.toMatchObject({ name: 'ImageDigestDoesNotMatchException' });
  });
});
