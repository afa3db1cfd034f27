/**
 * OCI distribution-spec conformance, referrers API (1.1): manifests pushed with a `subject` are
 * listed as an OCI index, filterable by artifactType, and disappear when deleted.
 */
import { test as base, describe, expect } from 'vitest';
import { blobOf, makeImage, OCI_INDEX, OCI_MANIFEST, pushBlob, pushImage, putManifest } from './helpers/oci-content.ts';
import type { Blob, TestImage } from './helpers/oci-content.ts';
import { errorCodes, startRegistryHarness } from './helpers/registry-harness.ts';
import type { RegistryHarness } from './helpers/registry-harness.ts';

const REPO = 'conformance/repo1';

const it = base.extend<{ reg: RegistryHarness; subject: TestImage }>({
  // eslint-disable-next-line no-empty-pattern
  reg: async ({}, use) => {
    const reg = await startRegistryHarness();
    await reg.createRepository(REPO);
    await use(reg);
    await reg.close();
  },
  subject: async ({ reg }, use) => {
    const image = makeImage();
    await pushImage(reg, REPO, 'v1', image);
    await use(image);
  },
});

/** An artifact manifest (empty config, one JSON layer) whose subject is `subject`. */
async function pushArtifact(reg: RegistryHarness, subject: TestImage, artifactType: string | undefined, annotations: Record<string, string>): Promise<Blob> {
  const empty = blobOf('{}');
  const payload = blobOf(JSON.stringify({ artifactType, annotations }));
  await pushBlob(reg, REPO, empty);
  await pushBlob(reg, REPO, payload);
  const manifest = blobOf(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      ...(artifactType === undefined ? {} : { artifactType }),
      config: { mediaType: artifactType === undefined ? 'application/vnd.example.config.v1+json' : 'application/vnd.oci.empty.v1+json', digest: empty.digest, size: 2 },
      layers: [{ mediaType: 'application/json', digest: payload.digest, size: payload.bytes.length }],
      subject: { mediaType: OCI_MANIFEST, digest: subject.manifest.digest, size: subject.manifest.bytes.length },
      annotations,
    }),
  );
  const res = await putManifest(reg, REPO, manifest.digest, manifest, OCI_MANIFEST);
  expect(res.status).toBe(201);
  expect(res.headers['oci-subject']).toBe(subject.manifest.digest);
  return manifest;
}

describe('referrers', () => {
  it('lists referrers as an OCI index with artifactType and annotations', async ({ reg, subject }) => {
    const sbom = await pushArtifact(reg, subject, 'application/vnd.example.sbom.v1', { 'org.example.sbom.format': 'json' });
    const sig = await pushArtifact(reg, subject, undefined, { 'org.example.signature.fingerprint': 'abcd' });
    const res = await reg.request({ path: `/v2/${REPO}/referrers/${subject.manifest.digest}` });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(OCI_INDEX);
    expect(res.json).toEqual({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [
        { mediaType: OCI_MANIFEST, digest: sbom.digest, size: sbom.bytes.length, artifactType: 'application/vnd.example.sbom.v1', annotations: { 'org.example.sbom.format': 'json' } },
        // No artifactType in the manifest: the config media type stands in for it.
        { mediaType: OCI_MANIFEST, digest: sig.digest, size: sig.bytes.length, artifactType: 'application/vnd.example.config.v1+json', annotations: { 'org.example.signature.fingerprint': 'abcd' } },
      ],
    });
  });

  it('filters by artifactType and says so', async ({ reg, subject }) => {
    const sbom = await pushArtifact(reg, subject, 'application/vnd.example.sbom.v1', {});
    await pushArtifact(reg, subject, 'application/vnd.example.signature.v1', {});
    const res = await reg.request({ path: `/v2/${REPO}/referrers/${subject.manifest.digest}?artifactType=application/vnd.example.sbom.v1` });
    expect(res.headers['oci-filters-applied']).toBe('artifactType');
    expect(res.json.manifests.map((m: { digest: string }) => m.digest)).toEqual([sbom.digest]);
  });

  it('drops a referrer once its manifest is deleted', async ({ reg, subject }) => {
    const sbom = await pushArtifact(reg, subject, 'application/vnd.example.sbom.v1', {});
    expect((await reg.request({ method: 'DELETE', path: `/v2/${REPO}/manifests/${sbom.digest}` })).status).toBe(202);
    const res = await reg.request({ path: `/v2/${REPO}/referrers/${subject.manifest.digest}` });
    expect(res.json.manifests).toEqual([]);
  });

  it('answers an unknown subject with an empty index and a malformed digest with 400', async ({ reg, subject }) => {
    await pushArtifact(reg, subject, 'application/vnd.example.sbom.v1', {});
    const none = await reg.request({ path: `/v2/${REPO}/referrers/${blobOf('nothing').digest}` });
    expect(none.status).toBe(200);
    expect(none.json).toEqual({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] });
    const bad = await reg.request({ path: `/v2/${REPO}/referrers/sha256:nope` });
    expect(bad.status).toBe(400);
    expect(errorCodes(bad)).toEqual(['DIGEST_INVALID']);
  });
});

describe('without a referrers index', () => {
  base('answers 404 and sends no OCI-Subject, so clients fall back to the tag schema', async () => {
    const reg = await startRegistryHarness({ referrers: false });
    try {
      await reg.createRepository(REPO);
      const image = makeImage();
      await pushImage(reg, REPO, 'v1', image);
      const empty = blobOf('{}');
      await pushBlob(reg, REPO, empty);
      const artifact = blobOf(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: OCI_MANIFEST,
          config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: empty.digest, size: 2 },
          layers: [],
          subject: { mediaType: OCI_MANIFEST, digest: image.manifest.digest, size: image.manifest.bytes.length },
        }),
      );
      const put = await putManifest(reg, REPO, artifact.digest, artifact, OCI_MANIFEST);
      expect(put.status).toBe(201);
      expect(put.headers['oci-subject']).toBeUndefined();
      expect((await reg.request({ path: `/v2/${REPO}/referrers/${image.manifest.digest}` })).status).toBe(404);
    } finally {
      await reg.close();
    }
  });
});
