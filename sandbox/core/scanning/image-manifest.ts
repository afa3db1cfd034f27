/**
 * Reads the layer list out of an image manifest: Docker schema 2, OCI image manifest, and the
 * old Docker schema 1 (whose `fsLayers` run newest first). Indexes and manifest lists are
 * recognised but not followed: their platform manifests are separate images.
 */

/** Manifest media types (Docker registry and OCI image specs). */
export const MEDIA_TYPES = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
} as const;

/** How a layer blob is compressed, judged by its media type. */
export type LayerCompression = 'gzip' | 'none' | 'zstd' | 'unknown';

/** One layer to read, bottom first. */
export interface LayerRef {
  readonly digest: string;
  readonly mediaType: string;
  readonly compression: LayerCompression;
}

/** What a manifest turned out to be. */
export type ParsedManifest =
  | { readonly kind: 'image'; readonly layers: readonly LayerRef[] }
  | { readonly kind: 'index'; readonly manifests: ReadonlyArray<{ digest: string; platform?: string }> }
  | { readonly kind: 'invalid'; readonly reason: string };

/** True for a manifest list / image index media type. */
export function isIndexMediaType(mediaType: string): boolean {
  return mediaType === MEDIA_TYPES.dockerManifestList || mediaType === MEDIA_TYPES.ociIndex;
}

/** Classifies a layer media type; `unknown` covers artifacts (Helm charts, signatures, ...). */
export function layerCompression(mediaType: string): LayerCompression {
  if (/\.tar\.gzip$|\.tar\+gzip$/.test(mediaType)) return 'gzip';
  if (/\.tar\+zstd$/.test(mediaType)) return 'zstd';
  if (/(rootfs\.diff|image\.layer\.v1|image\.layer\.nondistributable\.v1|rootfs\.foreign\.diff)\.tar$/.test(mediaType)) return 'none';
  return 'unknown';
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Parses manifest JSON. `mediaType` is the stored media type (the Content-Type it was pushed
 * with); the JSON's own `mediaType` field is the fallback.
 */
export function parseImageManifest(mediaType: string, text: string): ParsedManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: 'invalid', reason: 'the image manifest is not valid JSON' };
  }
  if (!isRecord(json)) return { kind: 'invalid', reason: 'the image manifest is not a JSON object' };
  const type = mediaType || (typeof json['mediaType'] === 'string' ? json['mediaType'] : '');
  if (isIndexMediaType(type) || (!type && Array.isArray(json['manifests']))) {
    const manifests = (Array.isArray(json['manifests']) ? json['manifests'] : []).filter(isRecord).map((m) => {
      const p = isRecord(m['platform']) ? m['platform'] : undefined;
      const platform = p ? [p['os'], p['architecture'], p['variant']].filter((x) => typeof x === 'string').join('/') : undefined;
      return { digest: String(m['digest'] ?? ''), ...(platform && { platform }) };
    });
    return { kind: 'index', manifests };
  }
  if (type === MEDIA_TYPES.dockerSchema1 || type === MEDIA_TYPES.dockerSchema1Signed || (!type && Array.isArray(json['fsLayers']))) {
    const fsLayers = Array.isArray(json['fsLayers']) ? json['fsLayers'].filter(isRecord) : [];
    const layers = fsLayers
      .map((l) => String(l['blobSum'] ?? ''))
      .reverse() // schema 1 lists the top layer first
      .map((digest) => ({ digest, mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', compression: 'gzip' as const }));
    return validLayers(layers);
  }
  if (!Array.isArray(json['layers'])) return { kind: 'invalid', reason: `unsupported manifest media type '${type || 'none'}'` };
  const layers = json['layers'].filter(isRecord).map((l) => {
    const mt = String(l['mediaType'] ?? '');
    return { digest: String(l['digest'] ?? ''), mediaType: mt, compression: layerCompression(mt) };
  });
  return validLayers(layers);
}

function validLayers(layers: LayerRef[]): ParsedManifest {
  const bad = layers.find((l) => !/^sha256:[0-9a-f]{64}$/.test(l.digest));
  if (bad) return { kind: 'invalid', reason: `layer digest '${bad.digest}' is not a sha256 digest` };
  return { kind: 'image', layers };
}
