/**
 * OCI distribution-spec conformance, "pull", "content discovery" and "content management"
 * categories, ported to Vitest: manifests and blobs by tag and digest, HEAD, Range reads, tag
 * listing with pagination, and deletion as ECR allows it.
 */
import { request as httpRequest } from 'node:http';
import { test as base, describe, expect } from 'vitest';
import { DOCKER_MANIFEST, makeImage, OCI_MANIFEST, pushBlob, pushImage, putManifest, randomBlob } from './helpers/oci-content.ts';
import type { TestImage } from './helpers/oci-content.ts';
import { errorCodes, openFilesMatching, startRegistryHarness } from './helpers/registry-harness.ts';
import type { RegistryHarness } from './helpers/registry-harness.ts';

const REPO = 'conformance/repo1';

const it = base.extend<{ reg: RegistryHarness; image: TestImage }>({
  // eslint-disable-next-line no-empty-pattern
  reg: async ({}, use) => {
    const reg = await startRegistryHarness();
    await reg.createRepository(REPO);
    await use(reg);
    await reg.close();
  },
  image: async ({ reg }, use) => {
    const image = makeImage({ mediaType: DOCKER_MANIFEST });
    await pushImage(reg, REPO, 'tagtest0', image);
    await use(image);
  },
});

describe('pull', () => {
  it('answers GET /v2/ with 200 and the API version header', async ({ reg }) => {
    const res = await reg.request({ path: '/v2/' });
    expect(res.status).toBe(200);
    expect(res.headers['docker-distribution-api-version']).toBe('registry/2.0');
  });

  it('serves a manifest by tag and by digest with its media type and digest', async ({ reg, image }) => {
    for (const ref of ['tagtest0', image.manifest.digest]) {
      const res = await reg.request({ path: `/v2/${REPO}/manifests/${ref}`, headers: { Accept: DOCKER_MANIFEST } });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe(DOCKER_MANIFEST);
      expect(res.headers['docker-content-digest']).toBe(image.manifest.digest);
      expect(res.body.equals(image.manifest.bytes)).toBe(true);
    }
  });

  it('answers HEAD on a manifest with digest and length but no body', async ({ reg, image }) => {
    const res = await reg.request({ method: 'HEAD', path: `/v2/${REPO}/manifests/tagtest0` });
    expect(res.status).toBe(200);
    expect(res.headers['docker-content-digest']).toBe(image.manifest.digest);
    expect(res.headers['content-length']).toBe(String(image.manifest.bytes.length));
    expect(res.body.length).toBe(0);
  });

  it('answers a missing manifest with 404 MANIFEST_UNKNOWN "Requested image not found"', async ({ reg }) => {
    for (const ref of ['missing-tag', randomBlob().digest]) {
      const res = await reg.request({ path: `/v2/${REPO}/manifests/${ref}` });
      expect(res.status).toBe(404);
      expect(res.json.errors[0]).toMatchObject({ code: 'MANIFEST_UNKNOWN', message: 'Requested image not found' });
    }
    expect((await reg.request({ method: 'HEAD', path: `/v2/${REPO}/manifests/missing-tag` })).status).toBe(404);
  });

  it('serves blobs with Docker-Content-Digest, and 404 BLOB_UNKNOWN for a missing one', async ({ reg, image }) => {
    const layer = image.layers[0]!;
    const res = await reg.request({ path: `/v2/${REPO}/blobs/${layer.digest}` });
    expect(res.status).toBe(200);
    expect(res.headers['docker-content-digest']).toBe(layer.digest);
    expect(res.body.equals(layer.bytes)).toBe(true);
    const missing = await reg.request({ path: `/v2/${REPO}/blobs/${randomBlob().digest}` });
    expect(missing.status).toBe(404);
    expect(errorCodes(missing)).toEqual(['BLOB_UNKNOWN']);
  });

  describe('range requests on a 2048-byte blob', () => {
    const blob = randomBlob(2048);
    it.for([
      ['bytes=500-1499', 500, 1499],
      ['bytes=500-', 500, 2047],
      ['bytes=-500', 1548, 2047],
      ['bytes=2000-5000', 2000, 2047],
    ] as const)('answers %s with 206 and the right slice', async ([range, start, end], { reg }) => {
      await pushBlob(reg, REPO, blob);
      const res = await reg.request({ path: `/v2/${REPO}/blobs/${blob.digest}`, headers: { Range: range } });
      expect(res.status).toBe(206);
      expect(res.headers['content-range']).toBe(`bytes ${start}-${end}/2048`);
      expect(res.headers['content-length']).toBe(String(end - start + 1));
      expect(res.body.equals(blob.bytes.subarray(start, end + 1))).toBe(true);
    });

    it.for(['bytes=500-0', 'bytes=5000-10000'])('answers %s with 416', async (range, { reg }) => {
      await pushBlob(reg, REPO, blob);
      const res = await reg.request({ path: `/v2/${REPO}/blobs/${blob.digest}`, headers: { Range: range } });
      expect(res.status).toBe(416);
      expect(res.headers['content-range']).toBe('bytes */2048');
    });
  });

  it('lets go of the blob file when a client hangs up mid-download, and keeps serving it whole', async ({ reg }) => {
    const big = randomBlob(8 * 1024 * 1024);
    await pushBlob(reg, REPO, big);
    const hex = big.digest.slice('sha256:'.length);
    const openBlobFiles = () => openFilesMatching(hex);
    const password = await reg.password();
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port: reg.port, path: `/v2/${REPO}/blobs/${big.digest}`, headers: { Host: reg.ecrHost(), Authorization: `Basic ${Buffer.from(`AWS:${password}`).toString('base64')}` } },
        (res) => {
          expect(res.statusCode).toBe(200);
          res.once('data', () => {
            req.destroy(); // the learner pressed Ctrl-C during `docker pull`
            resolve();
          });
        },
      );
      req.on('error', () => undefined);
      req.on('close', () => resolve());
      req.once('error', reject);
      req.end();
    });
    await expect.poll(openBlobFiles, { timeout: 5000 }).toBe(0);
    const whole = await reg.request({ path: `/v2/${REPO}/blobs/${big.digest}` });
    expect(whole.status).toBe(200);
    expect(whole.body.equals(big.bytes)).toBe(true);
    expect(openBlobFiles()).toBe(0);
  });
});

describe('content discovery', () => {
  async function tagAll(reg: RegistryHarness, image: TestImage, tags: string[]): Promise<void> {
    for (const tag of tags) expect((await putManifest(reg, REPO, tag, image.manifest, image.mediaType)).status).toBe(201);
  }

  it('lists tags in ASCII order', async ({ reg, image }) => {
    await tagAll(reg, image, ['b', 'A', 'a', '1']);
    const res = await reg.request({ path: `/v2/${REPO}/tags/list` });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ name: REPO, tags: ['1', 'A', 'a', 'b', 'tagtest0'] });
  });

  it('pages with n and last, linking to the next page', async ({ reg, image }) => {
    await tagAll(reg, image, ['t1', 't2', 't3', 't4']);
    const first = await reg.request({ path: `/v2/${REPO}/tags/list?n=2` });
    expect(first.json.tags).toEqual(['t1', 't2']);
    expect(first.headers.link).toBe(`</v2/${REPO}/tags/list?n=2&last=t2>; rel="next"`);
    const second = await reg.request({ path: `/v2/${REPO}/tags/list?n=2&last=t2` });
    expect(second.json.tags).toEqual(['t3', 't4']);
    const third = await reg.request({ path: `/v2/${REPO}/tags/list?n=2&last=t4` });
    expect(third.json.tags).toEqual(['tagtest0']);
    expect(third.headers.link).toBeUndefined();
    const onlyLast = await reg.request({ path: `/v2/${REPO}/tags/list?last=t3` });
    expect(onlyLast.json.tags).toEqual(['t4', 'tagtest0']);
  });

  it('returns an empty list and no Link for n=0', async ({ reg, image }) => {
    await tagAll(reg, image, ['x']);
    const res = await reg.request({ path: `/v2/${REPO}/tags/list?n=0` });
    expect(res.json.tags).toEqual([]);
    expect(res.headers.link).toBeUndefined();
  });

  it('lists no tags for an empty repository', async ({ reg }) => {
    await reg.createRepository('empty/repo');
    expect((await reg.request({ path: '/v2/empty/repo/tags/list' })).json).toEqual({ name: 'empty/repo', tags: [] });
  });
});

describe('content management', () => {
  it('deletes a manifest by digest: 202, then it and its tags are gone', async ({ reg, image }) => {
    expect((await putManifest(reg, REPO, 'second', image.manifest, image.mediaType)).status).toBe(201);
    const del = await reg.request({ method: 'DELETE', path: `/v2/${REPO}/manifests/${image.manifest.digest}` });
    expect(del.status).toBe(202);
    for (const ref of [image.manifest.digest, 'tagtest0', 'second']) {
      expect((await reg.request({ path: `/v2/${REPO}/manifests/${ref}` })).status).toBe(404);
    }
    expect((await reg.request({ method: 'DELETE', path: `/v2/${REPO}/manifests/${image.manifest.digest}` })).status).toBe(404);
  });

  it('refuses tag deletion and blob deletion with 405 UNSUPPORTED, changing nothing', async ({ reg, image }) => {
    const tagDel = await reg.request({ method: 'DELETE', path: `/v2/${REPO}/manifests/tagtest0` });
    expect(tagDel.status).toBe(405);
    expect(errorCodes(tagDel)).toEqual(['UNSUPPORTED']);
    const blobDel = await reg.request({ method: 'DELETE', path: `/v2/${REPO}/blobs/${image.config.digest}` });
    expect(blobDel.status).toBe(405);
    expect(errorCodes(blobDel)).toEqual(['UNSUPPORTED']);
    expect((await reg.request({ path: `/v2/${REPO}/manifests/tagtest0` })).status).toBe(200);
    expect((await reg.request({ path: `/v2/${REPO}/blobs/${image.config.digest}` })).status).toBe(200);
  });

  it('keeps an OCI image pushed beside a Docker one distinct', async ({ reg, image }) => {
    const oci = makeImage({ mediaType: OCI_MANIFEST });
    await pushImage(reg, REPO, 'oci', oci);
    expect((await reg.request({ path: `/v2/${REPO}/manifests/oci` })).headers['content-type']).toBe(OCI_MANIFEST);
    expect((await reg.request({ path: `/v2/${REPO}/manifests/tagtest0` })).headers['docker-content-digest']).toBe(image.manifest.digest);
  });
});

