import { describe, expect, it } from 'vitest';
import { MEDIA_TYPES, parseImageManifest } from './image-manifest.ts';

const d = (c: string) => `sha256:${c.repeat(64)}`;

describe('parseImageManifest', () => {
  it('lists Docker schema 2 and OCI layers bottom first with their compression', () => {
    const docker = {
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.dockerManifest,
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: d('c'), size: 1 },
      layers: [
        { mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: d('a'), size: 1 },
        { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: d('b'), size: 1 },
        { mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd', digest: d('e'), size: 1 },
      ],
    };
    const parsed = parseImageManifest(MEDIA_TYPES.dockerManifest, JSON.stringify(docker));
    expect(parsed).toMatchObject({ kind: 'image' });
    if (parsed.kind !== 'image') return;
    expect(parsed.layers.map((l) => [l.digest, l.compression])).toEqual([
      [d('a'), 'gzip'],
      [d('b'), 'none'],
      [d('e'), 'zstd'],
    ]);
  });

  it('reverses schema 1 fsLayers, which list the top layer first', () => {
    const v1 = { schemaVersion: 1, fsLayers: [{ blobSum: d('2') }, { blobSum: d('1') }] };
    const parsed = parseImageManifest(MEDIA_TYPES.dockerSchema1Signed, JSON.stringify(v1));
    expect(parsed.kind === 'image' && parsed.layers.map((l) => l.digest)).toEqual([d('1'), d('2')]);
  });

  it('recognises an index, with platforms', () => {
    const index = { schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests: [{ digest: d('f'), platform: { os: 'linux', architecture: 'amd64' } }] };
    expect(parseImageManifest('', JSON.stringify(index))).toEqual({ kind: 'index', manifests: [{ digest: d('f'), platform: 'linux/amd64' }] });
  });

  it('reports broken manifests', () => {
    expect(parseImageManifest(MEDIA_TYPES.ociManifest, '{')).toMatchObject({ kind: 'invalid' });
    expect(parseImageManifest(MEDIA_TYPES.ociManifest, JSON.stringify({ layers: [{ digest: 'md5:x' }] }))).toMatchObject({ kind: 'invalid' });
  });
});
