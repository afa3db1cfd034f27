/**
 * What makes the registry ECR's rather than any registry's: Basic-only auth with ECR's challenge,
 * expired and foreign tokens, account/region taken from the host name, ECR's messages for missing
 * repositories and immutable tags, and names that must never reach the filesystem.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test as base, describe, expect } from 'vitest';
import { makeImage, OCI_MANIFEST, pushBlob, pushImage, putManifest, randomBlob } from './helpers/oci-content.ts';
import { errorCodes, startRegistryHarness } from './helpers/registry-harness.ts';
import type { RegistryHarness } from './helpers/registry-harness.ts';


const it = base.extend<{ reg: RegistryHarness }>({
  // eslint-disable-next-line no-empty-pattern
  reg: async ({}, use) => {
    const reg = await startRegistryHarness();
    await reg.createRepository('myrepo');
    await use(reg);
    await reg.close();
  },
});

describe('authentication', () => {
  it.for([
    ['no credentials', null],
    ['a wrong password', 'not-a-token'],
  ] as const)('answers /v2/ with %s by 401 and ECR\'s Basic challenge', async ([, auth], { reg }) => {
    const res = await reg.request({ path: '/v2/', auth });
    expect(res.status).toBe(401);
    expect(res.headers['docker-distribution-api-version']).toBe('registry/2.0');
    expect(res.headers['www-authenticate']).toBe(`Basic realm="https://${reg.ecrHost()}/",service="ecr.amazonaws.com"`);
    expect(errorCodes(res)).toEqual(['UNAUTHORIZED']);
  });

  it('refuses every route without credentials, before looking at the name', async ({ reg }) => {
    for (const path of ['/v2/myrepo/tags/list', '/v2/nosuchrepo/manifests/v1', '/v2/../etc/tags/list', '/v2/myrepo/blobs/uploads/']) {
      expect((await reg.request({ method: 'GET', path, auth: null })).status, path).toBe(401);
    }
  });

  it('answers an expired token with DENIED and ECR\'s message', async ({ reg }) => {
    const res = await reg.request({ path: '/v2/myrepo/tags/list', auth: await reg.password(reg.scope, 'expired') });
    expect(res.status).toBe(403);
    expect(res.json.errors[0]).toMatchObject({ code: 'DENIED', message: 'Your authorization token has expired. Reauthenticate and try again.' });
  });

  it('denies a token of another account on this account\'s registry host', async ({ reg }) => {
    const bob = reg.provision('bob');
    const res = await reg.request({ method: 'POST', path: '/v2/myrepo/blobs/uploads/', auth: await reg.password(bob) });
    expect(res.status).toBe(403);
    expect(res.json.errors[0]).toEqual({
      code: 'DENIED',
      message: `User: arn:aws:iam::${bob.accountId}:root is not authorized to perform: ecr:InitiateLayerUpload on resource: arn:aws:ecr:us-east-1:${reg.scope.accountId}:repository/myrepo`,
    });
  });

  it('answers a token of another region as expired, as ECR does', async ({ reg }) => {
    const res = await reg.request({ path: '/v2/', auth: await reg.password({ ...reg.scope, region: 'eu-west-1' }) });
    expect(res.status).toBe(403);
    expect(res.json.errors[0].message).toBe('Your authorization token has expired. Reauthenticate and try again.');
  });

  it('takes account and region from the credentials on the fallback host', async ({ reg }) => {
    const bob = reg.provision('bob');
    await reg.createRepository('theirs', { scope: bob });
    const password = await reg.password(bob);
    expect((await reg.request({ host: reg.fallbackHost, path: '/v2/theirs/tags/list', auth: password })).status).toBe(200);
    // ...and that account sees only its own repositories.
    const mine = await reg.request({ host: reg.fallbackHost, path: '/v2/myrepo/tags/list', auth: password });
    expect(mine.json.errors[0]).toEqual({ code: 'NAME_UNKNOWN', message: `The repository with name 'myrepo' does not exist in the registry with id '${bob.accountId}'` });
  });
});

describe('ECR rules', () => {
  it('refuses a push to a missing repository with NAME_UNKNOWN and ECR\'s message', async ({ reg }) => {
    const res = await reg.request({ method: 'POST', path: '/v2/nosuchrepo/blobs/uploads/' });
    expect(res.status).toBe(404);
    expect(res.json).toEqual({
      errors: [{ code: 'NAME_UNKNOWN', message: `The repository with name 'nosuchrepo' does not exist in the registry with id '${reg.scope.accountId}'` }],
    });
    const manifest = await putManifest(reg, 'nosuchrepo', 'v1', makeImage().manifest, OCI_MANIFEST);
    expect(errorCodes(manifest)).toEqual(['NAME_UNKNOWN']);
  });

  it('refuses to overwrite a tag of an immutable repository with TAG_INVALID and ECR\'s message', async ({ reg }) => {
    await reg.createRepository('frozen', { immutable: true });
    await pushImage(reg, 'frozen', 'v1', makeImage());
    const again = makeImage();
    for (const b of [again.config, ...again.layers]) await pushBlob(reg, 'frozen', b);
    const res = await putManifest(reg, 'frozen', 'v1', again.manifest, OCI_MANIFEST);
    expect(res.status).toBe(400);
    expect(res.json.errors[0]).toEqual({
      code: 'TAG_INVALID',
      message: "The image tag 'v1' already exists in the 'frozen' repository and cannot be overwritten because the repository is immutable.",
    });
    // Pushing the very same image to the same tag again is fine (docker re-pushes do that).
    const same = makeImage();
    await pushImage(reg, 'frozen', 'v2', same);
    expect((await putManifest(reg, 'frozen', 'v2', same.manifest, OCI_MANIFEST)).status).toBe(201);
  });

  it('shares blobs between repositories of one account but not across accounts', async ({ reg }) => {
    await reg.createRepository('other');
    const bob = reg.provision('bob');
    await reg.createRepository('myrepo', { scope: bob });
    const blob = randomBlob();
    await pushBlob(reg, 'myrepo', blob);
    expect((await reg.request({ method: 'HEAD', path: `/v2/other/blobs/${blob.digest}` })).status).toBe(200);
    const foreign = await reg.request({ method: 'HEAD', path: `/v2/myrepo/blobs/${blob.digest}`, host: reg.ecrHost(bob), auth: await reg.password(bob) });
    expect(foreign.status).toBe(404);
  });

  it('does not let one repository continue another repository\'s upload', async ({ reg }) => {
    await reg.createRepository('other');
    const post = await reg.request({ method: 'POST', path: '/v2/myrepo/blobs/uploads/' });
    const uuid = post.headers['docker-upload-uuid'];
    const res = await reg.request({ method: 'PATCH', path: `/v2/other/blobs/uploads/${uuid}`, body: 'x' });
    expect(res.status).toBe(404);
    expect(errorCodes(res)).toEqual(['BLOB_UPLOAD_UNKNOWN']);
  });
});

describe('names and paths', () => {
  it.for([
    '/v2/../../etc/passwd/tags/list',
    '/v2/a/%2e%2e/b/tags/list',
    '/v2/UPPER/tags/list',
    '/v2/a//b/manifests/v1',
  ])('answers %s with 400 NAME_INVALID', async (path, { reg }) => {
    const res = await reg.request({ path });
    expect(res.status).toBe(400);
    expect(errorCodes(res)).toEqual(['NAME_INVALID']);
  });

  it('rejects malformed digests and upload ids without touching the filesystem outside the data dir', async ({ reg }) => {
    const before = await readdir(reg.dataDir, { recursive: true });
    const blob = await reg.request({ path: '/v2/myrepo/blobs/sha256:..%2F..%2Fpasswd' });
    expect(blob.status).toBe(400);
    expect(errorCodes(blob)).toEqual(['DIGEST_INVALID']);
    const upload = await reg.request({ method: 'PATCH', path: '/v2/myrepo/blobs/uploads/..%2F..%2Fblobs', body: 'x' });
    expect(errorCodes(upload)).toEqual(['BLOB_UPLOAD_UNKNOWN']);
    const after = await readdir(reg.dataDir, { recursive: true });
    expect(after.filter((e) => !before.includes(e) && !e.startsWith('sandbox.db'))).toEqual([]);
    expect(await readdir(join(reg.dataDir, 'uploads')).catch(() => [])).toEqual([]);
  });

  it('answers unknown paths with 404 and unsupported endpoints with UNSUPPORTED', async ({ reg }) => {
    expect((await reg.request({ path: '/v2/myrepo/nothing' })).status).toBe(404);
    expect(errorCodes(await reg.request({ path: '/v2/_catalog' }))).toEqual(['UNSUPPORTED']);
    expect(errorCodes(await reg.request({ method: 'POST', path: '/v2/myrepo/tags/list' }))).toEqual(['UNSUPPORTED']);
  });
});
