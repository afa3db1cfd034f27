import { describe, expect, it } from 'vitest';
import { ManifestMediaType, parseManifest, referrerDescriptor } from './manifest.ts';

const d = (c: string) => `sha256:${c.repeat(64)}`;
const config = { mediaType: 'application/vnd.oci.image.config.v1+json', digest: d('c'), size: 2 };
const layer = { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: d('1'), size: 10 };

describe('parseManifest', () => {
  it('lists config and layers of an OCI image manifest as required blobs', () => {
    const text = JSON.stringify({ schemaVersion: 2, mediaType: ManifestMediaType.ociManifest, config, layers: [layer] });
    const parsed = parseManifest(text, ManifestMediaType.ociManifest);
    expect(parsed.kind).toBe('image');
    expect(parsed.blobs.map((b) => b.digest)).toEqual([d('c'), d('1')]);
  });

  it('skips foreign layers that carry urls', () => {
    const foreign = { ...layer, digest: d('f'), urls: ['https://example.com/l'] };
    const text = JSON.stringify({ schemaVersion: 2, config, layers: [layer, foreign] });
    expect(parseManifest(text, ManifestMediaType.ociManifest).blobs.map((b) => b.digest)).toEqual([d('c'), d('1')]);
  });

  it('lists the children of a Docker manifest list', () => {
    const child = { mediaType: ManifestMediaType.dockerManifest, digest: d('2'), size: 500, platform: { os: 'linux', architecture: 'amd64' } };
    const text = JSON.stringify({ schemaVersion: 2, mediaType: ManifestMediaType.dockerManifestList, manifests: [child] });
    const parsed = parseManifest(text, 'application/vnd.docker.distribution.manifest.list.v2+json; charset=utf-8');
    expect(parsed).toMatchObject({ kind: 'index', mediaType: ManifestMediaType.dockerManifestList, blobs: [] });
    expect(parsed.manifests.map((m) => m.digest)).toEqual([d('2')]);
  });

  it('infers the OCI type from the shape when neither header nor field names one', () => {
    expect(parseManifest(JSON.stringify({ schemaVersion: 2, manifests: [] }), undefined).mediaType).toBe(ManifestMediaType.ociIndex);
    expect(parseManifest(JSON.stringify({ schemaVersion: 2, config, layers: [] }), 'application/json').mediaType).toBe(ManifestMediaType.ociManifest);
  });

  it.each([
    ['not JSON', '{', ManifestMediaType.ociManifest, /not valid JSON/],
    ['schema 1', JSON.stringify({ schemaVersion: 1, config, layers: [] }), ManifestMediaType.ociManifest, /schemaVersion/],
    ['mediaType mismatch', JSON.stringify({ schemaVersion: 2, mediaType: ManifestMediaType.dockerManifest, config, layers: [] }), ManifestMediaType.ociManifest, /does not match/],
    ['unknown type', JSON.stringify({ schemaVersion: 2, config, layers: [] }), 'text/plain', /unsupported/],
    ['bad digest', JSON.stringify({ schemaVersion: 2, config: { ...config, digest: 'nope' }, layers: [] }), ManifestMediaType.ociManifest, /invalid digest/],
    ['negative size', JSON.stringify({ schemaVersion: 2, config: { ...config, size: -1 }, layers: [] }), ManifestMediaType.ociManifest, /size/],
    ['index with layers', JSON.stringify({ schemaVersion: 2, manifests: [], layers: [] }), ManifestMediaType.ociIndex, /not config or layers/],
    ['array', '[]', ManifestMediaType.ociManifest, /object/],
  ])('rejects %s as MANIFEST_INVALID', (_name, text, contentType, message) => {
    expect(() => parseManifest(text, contentType)).toThrow(expect.objectContaining({ code: 'MANIFEST_INVALID', status: 400, message: expect.stringMatching(message) }));
  });

  it('describes a referrer with its config media type when it has no artifactType', () => {
    const text = JSON.stringify({ schemaVersion: 2, config, layers: [], subject: { ...layer, mediaType: ManifestMediaType.ociManifest }, annotations: { a: 'b' } });
    const parsed = parseManifest(text, ManifestMediaType.ociManifest);
    expect(parsed.subject?.digest).toBe(d('1'));
    expect(referrerDescriptor(parsed, d('9'), 123)).toEqual({
      mediaType: ManifestMediaType.ociManifest,
      digest: d('9'),
      size: 123,
      artifactType: config.mediaType,
      annotations: { a: 'b' },
    });
  });
});
