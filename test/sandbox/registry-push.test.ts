/**
 * OCI distribution-spec conformance, "push" category, ported to Vitest: every blob upload method
 * (single POST, POST+PUT, chunked, out-of-order chunks, streamed PATCH, cancel, mount) and manifest
 * pushes by tag and digest, including the bad-digest variants that must store nothing.
 */
import { request as httpRequest } from 'node:http';
import { Readable } from 'node:stream';
import { test as base, describe, expect } from 'vitest';
import { blobOf, makeImage, makeIndex, OCI_INDEX, OCI_MANIFEST, pushBlob, pushImage, putManifest, randomBlob } from './helpers/oci-content.ts';
import type { Blob } from './helpers/oci-content.ts';
import { errorCodes, openFilesMatching, startRegistryHarness } from './helpers/registry-harness.ts';
import type { RegistryHarness } from './helpers/registry-harness.ts';

const it = base.extend<{ reg: RegistryHarness }>({
  // eslint-disable-next-line no-empty-pattern
  reg: async ({}, use) => {
    const reg = await startRegistryHarness();
    await reg.createRepository('conformance/repo1');
    await reg.createRepository('conformance/repo2');
    await use(reg);
    await reg.close();
  },
});

const REPO = 'conformance/repo1';

async function expectBlobStored(reg: RegistryHarness, blob: Blob, name = REPO): Promise<void> {
  const head = await reg.request({ method: 'HEAD', path: `/v2/${name}/blobs/${blob.digest}` });
  expect(head.status).toBe(200);
  expect(head.headers['docker-content-digest']).toBe(blob.digest);
  expect(head.headers['content-length']).toBe(String(blob.bytes.length));
  const get = await reg.request({ path: `/v2/${name}/blobs/${blob.digest}` });
  expect(get.status).toBe(200);
  expect(get.body.equals(blob.bytes)).toBe(true);
}

async function expectBlobAbsent(reg: RegistryHarness, digest: string): Promise<void> {
  expect((await reg.request({ method: 'HEAD', path: `/v2/${REPO}/blobs/${digest}` })).status).toBe(404);
  expect(await reg.blobs.has(reg.scope.accountId, digest)).toBe(false);
}

async function startUpload(reg: RegistryHarness, name = REPO): Promise<string> {
  const post = await reg.request({ method: 'POST', path: `/v2/${name}/blobs/uploads/`, headers: { 'Content-Length': 0 } });
  expect(post.status).toBe(202);
  expect(post.headers['docker-upload-uuid']).toMatch(/^[0-9a-f-]{36}$/);
  expect(post.headers['range']).toBe('0-0');
  expect(post.headers['location']).toBe(`/v2/${name}/blobs/uploads/${post.headers['docker-upload-uuid']}`);
  return post.headers.location!;
}

function patchChunk(reg: RegistryHarness, location: string, blob: Blob, start: number, end: number) {
  return reg.request({
    method: 'PATCH',
    path: location,
    headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': `${start}-${end}` },
    body: blob.bytes.subarray(start, end + 1),
  });
}

describe('blob push', () => {
  it('accepts a monolithic single POST with ?digest=', async ({ reg }) => {
    const blob = randomBlob();
    const res = await reg.request({ method: 'POST', path: `/v2/${REPO}/blobs/uploads/?digest=${blob.digest}`, headers: { 'Content-Type': 'application/octet-stream' }, body: blob.bytes });
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe(`/v2/${REPO}/blobs/${blob.digest}`);
    expect(res.headers['docker-content-digest']).toBe(blob.digest);
    await expectBlobStored(reg, blob);
  });

  it('accepts POST then PUT with the whole blob', async ({ reg }) => {
    const blob = randomBlob();
    await pushBlob(reg, REPO, blob);
    await expectBlobStored(reg, blob);
  });

  it('accepts a single chunk then a closing PUT without body', async ({ reg }) => {
    const blob = randomBlob();
    const loc = await startUpload(reg);
    const patch = await patchChunk(reg, loc, blob, 0, blob.bytes.length - 1);
    expect(patch.status).toBe(202);
    expect(patch.headers.range).toBe(`0-${blob.bytes.length - 1}`);
    const put = await reg.request({ method: 'PUT', path: `${patch.headers.location}?digest=${blob.digest}`, headers: { 'Content-Length': 0 } });
    expect(put.status).toBe(201);
    expect(put.headers.location).toBe(`/v2/${REPO}/blobs/${blob.digest}`);
    await expectBlobStored(reg, blob);
  });

  it.for([false, true])('accepts three ordered chunks (last chunk in the PUT: %s)', async (lastInPut, { reg }) => {
    const blob = randomBlob(3 * 1024 - 5);
    let loc = await startUpload(reg);
    const size = 1024;
    for (let start = 0; start < blob.bytes.length; start += size) {
      const end = Math.min(start + size, blob.bytes.length) - 1;
      const isLast = end === blob.bytes.length - 1;
      if (isLast && lastInPut) {
        const put = await reg.request({
          method: 'PUT',
          path: `${loc}?digest=${blob.digest}`,
          headers: { 'Content-Range': `${start}-${end}`, 'Content-Type': 'application/octet-stream' },
          body: blob.bytes.subarray(start, end + 1),
        });
        expect(put.status).toBe(201);
      } else {
        const patch = await patchChunk(reg, loc, blob, start, end);
        expect(patch.status).toBe(202);
        expect(patch.headers.range).toBe(`0-${end}`);
        loc = patch.headers.location!;
      }
    }
    if (!lastInPut) expect((await reg.request({ method: 'PUT', path: `${loc}?digest=${blob.digest}` })).status).toBe(201);
    await expectBlobStored(reg, blob);
  });

  it('answers an out-of-order chunk with 416, reports the offset, and lets the upload resume', async ({ reg }) => {
    const blob = randomBlob(3000);
    const loc = await startUpload(reg);
    expect((await patchChunk(reg, loc, blob, 0, 999)).status).toBe(202);
    const skip = await patchChunk(reg, loc, blob, 2000, 2999);
    expect(skip.status).toBe(416);
    expect(skip.headers.range).toBe('0-999');
    const badPut = await reg.request({
      method: 'PUT',
      path: `${loc}?digest=${blob.digest}`,
      headers: { 'Content-Range': '0-999' },
      body: blob.bytes.subarray(0, 1000),
    });
    expect(badPut.status).toBe(416);
    const status = await reg.request({ path: loc });
    expect(status.status).toBe(204);
    expect(status.headers.range).toBe('0-999');
    expect(status.headers.location).toBe(loc);
    expect((await patchChunk(reg, status.headers.location!, blob, 1000, 2999)).status).toBe(202);
    expect((await reg.request({ method: 'PUT', path: `${loc}?digest=${blob.digest}` })).status).toBe(201);
    await expectBlobStored(reg, blob);
  });

  it('accepts a streamed PATCH (chunked encoding, no Content-Range)', async ({ reg }) => {
    const blob = randomBlob(64 * 1024);
    const loc = await startUpload(reg);
    const parts = [blob.bytes.subarray(0, 10_000), blob.bytes.subarray(10_000)];
    const patch = await reg.request({ method: 'PATCH', path: loc, headers: { 'Content-Type': 'application/octet-stream' }, body: Readable.from(parts) });
    expect(patch.status).toBe(202);
    expect(patch.headers.range).toBe(`0-${blob.bytes.length - 1}`);
    const put = await reg.request({ method: 'PUT', path: `${patch.headers.location}?digest=${blob.digest}` });
    expect(put.status).toBe(201);
    await expectBlobStored(reg, blob);
  });

  it('drops a streamed PATCH cut off mid-way whole, closes its files, and the upload can go on', async ({ reg }) => {
    const blob = randomBlob(6 * 1024 * 1024);
    const loc = await startUpload(reg);
    const uploadId = loc.split('/').pop()!.split('?')[0]!;
    const openUploadFiles = () => openFilesMatching(uploadId);
    const password = await reg.password();
    await new Promise<void>((resolve) => {
      const req = httpRequest({
        host: '127.0.0.1',
        port: reg.port,
        method: 'PATCH',
        path: loc,
        headers: { Host: reg.ecrHost(), 'Content-Type': 'application/octet-stream', Authorization: `Basic ${Buffer.from(`AWS:${password}`).toString('base64')}` },
      });
      req.on('error', () => resolve());
      req.on('close', () => resolve());
      // 4 MiB of the 6, then the connection drops (a learner's laptop lost the network).
      req.write(blob.bytes.subarray(0, 4 * 1024 * 1024), () => setTimeout(() => req.destroy(), 100));
    });
    await expect.poll(openUploadFiles, { timeout: 5000 }).toBe(0);
    const status = await reg.request({ path: loc });
    expect(status.status).toBe(204);
    expect(status.headers.range).toBe('0-0'); // nothing of the cut-off chunk was kept
    const patch = await reg.request({ method: 'PATCH', path: loc, headers: { 'Content-Type': 'application/octet-stream' }, body: Readable.from([blob.bytes]) });
    expect(patch.status).toBe(202);
    expect((await reg.request({ method: 'PUT', path: `${patch.headers.location}?digest=${blob.digest}` })).status).toBe(201);
    await expectBlobStored(reg, blob);
  });

  it('cancels an upload with DELETE, after which the session is unknown', async ({ reg }) => {
    const loc = await startUpload(reg);
    expect((await reg.request({ method: 'DELETE', path: loc, headers: { 'Content-Length': 0 } })).status).toBe(204);
    const after = await reg.request({ path: loc });
    expect(after.status).toBe(404);
    expect(errorCodes(after)).toEqual(['BLOB_UPLOAD_UNKNOWN']);
  });

  it('answers a cross-repository mount with 202 and a normal upload session, as ECR does by default', async ({ reg }) => {
    const blob = randomBlob();
    await pushBlob(reg, 'conformance/repo2', blob);
    const mount = await reg.request({ method: 'POST', path: `/v2/${REPO}/blobs/uploads/?mount=${blob.digest}&from=conformance/repo2` });
    expect(mount.status).toBe(202);
    expect(mount.headers.location).toMatch(new RegExp(`^/v2/${REPO}/blobs/uploads/`));
    const put = await reg.request({ method: 'PUT', path: `${mount.headers.location}?digest=${blob.digest}`, body: blob.bytes });
    expect(put.status).toBe(201);
    await expectBlobStored(reg, blob);
  });

  it.for([
    ['empty', blobOf('')],
    ['emptyJSON', blobOf('{}')],
  ] as const)('stores the well-known %s blob', async ([, blob], { reg }) => {
    await pushBlob(reg, REPO, blob);
    await expectBlobStored(reg, blob);
  });

  describe('with a digest that does not match the bytes', () => {
    const corrupt = () => {
      const blob = randomBlob(3000);
      return { digest: blob.digest, bytes: Buffer.concat([blob.bytes, Buffer.from('oh no')]) };
    };

    it('rejects a single POST with 400 DIGEST_INVALID and stores nothing', async ({ reg }) => {
      const bad = corrupt();
      const res = await reg.request({ method: 'POST', path: `/v2/${REPO}/blobs/uploads/?digest=${bad.digest}`, body: bad.bytes });
      expect(res.status).toBe(400);
      expect(errorCodes(res)).toEqual(['DIGEST_INVALID']);
      await expectBlobAbsent(reg, bad.digest);
      await expectBlobAbsent(reg, blobOf(bad.bytes).digest);
    });

    it('rejects POST+PUT, chunked and streamed uploads the same way', async ({ reg }) => {
      const bad = corrupt();
      const l1 = await startUpload(reg);
      expect((await reg.request({ method: 'PUT', path: `${l1}?digest=${bad.digest}`, body: bad.bytes })).status).toBe(400);
      const l2 = await startUpload(reg);
      expect((await patchChunk(reg, l2, blobOf(bad.bytes), 0, 1499)).status).toBe(202);
      const put2 = await reg.request({ method: 'PUT', path: `${l2}?digest=${bad.digest}`, headers: { 'Content-Range': `1500-${bad.bytes.length - 1}` }, body: bad.bytes.subarray(1500) });
      expect(put2.status).toBe(400);
      expect(errorCodes(put2)).toEqual(['DIGEST_INVALID']);
      const l3 = await startUpload(reg);
      expect((await reg.request({ method: 'PATCH', path: l3, body: Readable.from([bad.bytes]) })).status).toBe(202);
      expect((await reg.request({ method: 'PUT', path: `${l3}?digest=${bad.digest}` })).status).toBe(400);
      await expectBlobAbsent(reg, bad.digest);
      await expectBlobAbsent(reg, blobOf(bad.bytes).digest);
      // A failed commit ends the session: nothing half-finished lingers.
      expect((await reg.request({ path: l3 })).status).toBe(404);
    });

    it('rejects unsupported algorithms and malformed digests with 400', async ({ reg }) => {
      const loc = await startUpload(reg);
      const sha512 = await reg.request({ method: 'PUT', path: `${loc}?digest=sha512:${'a'.repeat(128)}`, body: 'x' });
      expect(sha512.status).toBe(400);
      expect(errorCodes(sha512)).toEqual(['DIGEST_INVALID']);
      const loc2 = await startUpload(reg);
      const missing = await reg.request({ method: 'PUT', path: loc2, body: 'x' });
      expect(errorCodes(missing)).toEqual(['DIGEST_INVALID']);
    });
  });

  it('rejects a chunk whose Content-Length disagrees with its Content-Range', async ({ reg }) => {
    const loc = await startUpload(reg);
    const res = await reg.request({ method: 'PATCH', path: loc, headers: { 'Content-Range': '0-9' }, body: 'abc' });
    expect(res.status).toBe(400);
    expect(errorCodes(res)).toEqual(['SIZE_INVALID']);
    expect((await reg.request({ path: loc })).headers.range).toBe('0-0');
  });
});

describe('manifest push', () => {
  it('pushes by tag: 201, Location by digest, Docker-Content-Digest over the exact bytes', async ({ reg }) => {
    const image = makeImage();
    for (const b of [image.config, ...image.layers]) await pushBlob(reg, REPO, b);
    const res = await putManifest(reg, REPO, 'tagtest0', image.manifest, OCI_MANIFEST);
    expect(res.status).toBe(201);
    expect(res.headers['docker-content-digest']).toBe(image.manifest.digest);
    expect(res.headers.location).toBe(`/v2/${REPO}/manifests/${image.manifest.digest}`);
    const get = await reg.request({ path: res.headers.location!, headers: { Accept: OCI_MANIFEST } });
    expect(get.status).toBe(200);
    expect(get.headers['content-type']).toBe(OCI_MANIFEST);
    expect(get.body.equals(image.manifest.bytes)).toBe(true);
  });

  it('keeps the bytes exactly, whitespace included', async ({ reg }) => {
    const image = makeImage();
    for (const b of [image.config, ...image.layers]) await pushBlob(reg, REPO, b);
    const pretty = blobOf(JSON.stringify(JSON.parse(image.manifest.bytes.toString()), null, 3) + '\n');
    const res = await putManifest(reg, REPO, pretty.digest, pretty, OCI_MANIFEST);
    expect(res.status).toBe(201);
    expect(res.headers['docker-content-digest']).toBe(pretty.digest);
    expect((await reg.request({ path: `/v2/${REPO}/manifests/${pretty.digest}` })).body.equals(pretty.bytes)).toBe(true);
  });

  it('rejects a push by a digest that is not the manifest\'s with 400 DIGEST_INVALID', async ({ reg }) => {
    const image = makeImage();
    for (const b of [image.config, ...image.layers]) await pushBlob(reg, REPO, b);
    const wrong = await putManifest(reg, REPO, randomBlob().digest, image.manifest, OCI_MANIFEST);
    expect(wrong.status).toBe(400);
    expect(errorCodes(wrong)).toEqual(['DIGEST_INVALID']);
    const malformed = await putManifest(reg, REPO, 'sha256:baddigeststring', image.manifest, OCI_MANIFEST);
    expect(malformed.status).toBe(400);
    expect((await reg.request({ path: `/v2/${REPO}/manifests/sha256:baddigeststring` })).status).toBe(404);
  });

  it('rejects a manifest whose blobs were never pushed with MANIFEST_BLOB_UNKNOWN', async ({ reg }) => {
    const image = makeImage();
    await pushBlob(reg, REPO, image.config);
    const res = await putManifest(reg, REPO, 'v1', image.manifest, OCI_MANIFEST);
    expect(res.status).toBe(400);
    expect(errorCodes(res)).toEqual(['MANIFEST_BLOB_UNKNOWN']);
    expect(res.json.errors[0].detail.digests).toEqual(image.layers.map((l) => l.digest));
    expect((await reg.request({ path: `/v2/${REPO}/manifests/v1` })).status).toBe(404);
  });

  it('pushes an index after its children and refuses one whose child is missing', async ({ reg }) => {
    const a = makeImage();
    const b = makeImage();
    await pushImage(reg, REPO, a.manifest.digest, a);
    const missing = makeIndex([a, b]);
    const refused = await putManifest(reg, REPO, 'multi', missing, OCI_INDEX);
    expect(refused.status).toBe(400);
    expect(errorCodes(refused)).toEqual(['MANIFEST_BLOB_UNKNOWN']);
    await pushImage(reg, REPO, b.manifest.digest, b);
    const ok = await putManifest(reg, REPO, 'multi', missing, OCI_INDEX);
    expect(ok.status).toBe(201);
    const get = await reg.request({ path: `/v2/${REPO}/manifests/multi` });
    expect(get.headers['content-type']).toBe(OCI_INDEX);
    expect(get.headers['docker-content-digest']).toBe(missing.digest);
  });

  it('accepts an artifact with a subject that does not exist yet and echoes OCI-Subject', async ({ reg }) => {
    const empty = blobOf('{}');
    const payload = randomBlob(100);
    await pushBlob(reg, REPO, empty);
    await pushBlob(reg, REPO, payload);
    const subject = randomBlob();
    const artifact = blobOf(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        artifactType: 'application/vnd.example.sbom.v1',
        config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: empty.digest, size: 2 },
        layers: [{ mediaType: 'application/json', digest: payload.digest, size: 100 }],
        subject: { mediaType: OCI_MANIFEST, digest: subject.digest, size: 512 },
      }),
    );
    const res = await putManifest(reg, REPO, artifact.digest, artifact, OCI_MANIFEST);
    expect(res.status).toBe(201);
    expect(res.headers['oci-subject']).toBe(subject.digest);
  });

  it.for([
    ['not JSON', Buffer.from('{"schemaVersion": 2,'), OCI_MANIFEST],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), OCI_MANIFEST],
    ['schema version 1', Buffer.from(JSON.stringify({ schemaVersion: 1, name: 'x', fsLayers: [] })), OCI_MANIFEST],
    ['an unknown media type', Buffer.from(JSON.stringify({ schemaVersion: 2, config: {}, layers: [] })), 'application/x-nonsense'],
    ['a config without digest', Buffer.from(JSON.stringify({ schemaVersion: 2, config: { mediaType: 'x', size: 1 }, layers: [] })), OCI_MANIFEST],
  ] as const)('rejects %s with 400 MANIFEST_INVALID', async ([, bytes, contentType], { reg }) => {
    const res = await reg.request({ method: 'PUT', path: `/v2/${REPO}/manifests/bad`, headers: { 'Content-Type': contentType }, body: bytes });
    expect(res.status).toBe(400);
    expect(errorCodes(res)).toEqual(['MANIFEST_INVALID']);
  });

  it('refuses a manifest over 4 MiB with 413 without storing it', async ({ reg }) => {
    const huge = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, annotations: { pad: 'x'.repeat(4 * 1024 * 1024) } }));
    const res = await reg.request({ method: 'PUT', path: `/v2/${REPO}/manifests/huge`, headers: { 'Content-Type': OCI_MANIFEST }, body: huge });
    expect(res.status).toBe(413);
    expect(errorCodes(res)).toEqual(['MANIFEST_INVALID']);
    // The registry still serves the next request (the oversized body did not wedge anything).
    expect((await reg.request({ path: `/v2/${REPO}/manifests/huge` })).status).toBe(404);
  });
});

