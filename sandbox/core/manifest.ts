/**
 * What ECR reads from a stored manifest: its media type, the artifact (config) media type, the image size
 * DescribeImages reports (config + layers), and the blobs it references.
 */

/** Media types ECR accepts for manifests. */
export const MANIFEST_MEDIA_TYPES = {
  dockerV2: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerV1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  dockerV1: 'application/vnd.docker.distribution.manifest.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
} as const;

/** The facts DescribeImages needs about a manifest. */
export interface ManifestFacts {
  readonly mediaType: string;
  readonly artifactMediaType: string | undefined;
  readonly sizeInBytes: number;
  /** Blob digests the manifest references (config first, then layers); empty for an index. */
  readonly blobDigests: readonly string[];
  /** Child manifests of an index / manifest list. */
  readonly childManifests: readonly string[];
}

/** Outcome of reading a manifest: facts, or the reason it is not a manifest ECR would accept. */
export type ManifestReadResult = { ok: true; facts: ManifestFacts } | { ok: false; message: string };

interface Descriptor {
  mediaType?: unknown;
  digest?: unknown;
  size?: unknown;
}

/**
 * Parses manifest text. `declaredMediaType` (a Content-Type or PutImage's imageManifestMediaType) wins over
 * the manifest's own `mediaType` field; without either, OCI is assumed for schemaVersion 2 (as ECR does).
 */
export function readManifest(text: string, declaredMediaType?: string): ManifestReadResult {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return { ok: false, message: 'Invalid parameter at \'ImageManifest\' failed to satisfy constraint: \'Invalid JSON syntax\'' };
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    return { ok: false, message: 'Invalid parameter at \'ImageManifest\' failed to satisfy constraint: \'Invalid JSON syntax\'' };
  }
  const m = doc as { schemaVersion?: unknown; mediaType?: unknown; config?: Descriptor; layers?: unknown; manifests?: unknown };
  const ownType = typeof m.mediaType === 'string' ? m.mediaType : undefined;
  const isIndex = Array.isArray(m.manifests);
  const mediaType =
    declaredMediaType ||
    ownType ||
    (m.schemaVersion === 1
      ? MANIFEST_MEDIA_TYPES.dockerV1Signed
      : isIndex
        ? MANIFEST_MEDIA_TYPES.ociIndex
        : MANIFEST_MEDIA_TYPES.ociManifest);
  const descriptors = (v: unknown): Descriptor[] =>
    Array.isArray(v) ? v.filter((d): d is Descriptor => typeof d === 'object' && d !== null) : [];
  const size = (d: Descriptor | undefined) => (d && typeof d.size === 'number' ? d.size : 0);
  const digestOf = (d: Descriptor | undefined) => (d && typeof d.digest === 'string' ? [d.digest] : []);

  if (isIndex) {
    const children = descriptors(m.manifests);
    return {
      ok: true,
      facts: {
        mediaType,
        artifactMediaType: undefined,
        sizeInBytes: children.reduce((sum, d) => sum + size(d), 0),
        blobDigests: [],
        childManifests: children.flatMap(digestOf),
      },
    };
  }
  const layers = descriptors(m.layers);
  const config = typeof m.config === 'object' && m.config !== null ? m.config : undefined;
  return {
    ok: true,
    facts: {
      mediaType,
      artifactMediaType: config && typeof config.mediaType === 'string' ? config.mediaType : undefined,
      sizeInBytes: size(config) + layers.reduce((sum, d) => sum + size(d), 0),
      blobDigests: [...digestOf(config), ...layers.flatMap(digestOf)],
      childManifests: [],
    },
  };
}

/** A digest as the registry writes it: `sha256:` and 64 lowercase hex digits. */
export const DIGEST_PATTERN = /^sha256:[a-f0-9]{64}$/;
