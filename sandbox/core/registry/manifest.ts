/**
 * Manifest validation for `PUT /v2/<name>/manifests/<ref>`: which media types are accepted, what a
 * well-formed one looks like, and which blobs and child manifests it references (the HTTP layer then
 * checks those exist). Pure: the caller decodes the bytes and computes the digest.
 */
import { RegistryError } from './errors.ts';
import { isSha256Digest, looksLikeDigest } from './grammar.ts';

/** Manifest media types this registry accepts, as ECR does. */
export const ManifestMediaType = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
} as const;

const IMAGE_TYPES: ReadonlySet<string> = new Set([ManifestMediaType.dockerManifest, ManifestMediaType.ociManifest]);
const INDEX_TYPES: ReadonlySet<string> = new Set([ManifestMediaType.dockerManifestList, ManifestMediaType.ociIndex]);

/** True for a manifest media type the registry stores. */
export function isManifestMediaType(mediaType: string): boolean {
  return IMAGE_TYPES.has(mediaType) || INDEX_TYPES.has(mediaType);
}

/** ECR refuses manifests over 4 MiB; the spec asks for 413 in that case. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

/** A content descriptor (OCI image-spec), as far as the registry cares. */
export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly artifactType?: string;
  readonly annotations?: Readonly<Record<string, string>>;
  /** Present on foreign / non-distributable layers, which the registry does not hold. */
  readonly urls?: readonly string[];
}

/** What a valid manifest tells the registry. */
export interface ParsedManifest {
  readonly mediaType: string;
  readonly kind: 'image' | 'index';
  /** Blobs that must already be in the blob store (config and distributable layers). */
  readonly blobs: readonly Descriptor[];
  /** Child manifests that must already be in the repository (indexes only). */
  readonly manifests: readonly Descriptor[];
  readonly subject?: Descriptor;
  readonly artifactType?: string;
  readonly configMediaType?: string;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** Strips parameters (`; charset=...`) and case from a Content-Type header. */
export function normalizeContentType(header: string | undefined): string | undefined {
  const value = header?.split(';')[0]?.trim().toLowerCase();
  return value ? value : undefined;
}

function invalid(message: string, detail?: unknown): RegistryError {
  return new RegistryError('MANIFEST_INVALID', message, detail);
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseAnnotations(v: unknown, where: string): Record<string, string> | undefined {
  if (v === undefined) return undefined;
  if (!isObject(v) || !Object.values(v).every((x) => typeof x === 'string')) throw invalid(`${where}: annotations must be a map of strings`);
  return v as Record<string, string>;
}

function parseDescriptor(v: unknown, where: string): Descriptor {
  if (!isObject(v)) throw invalid(`${where}: descriptor must be an object`);
  const { mediaType, digest, size, artifactType, urls } = v;
  if (typeof mediaType !== 'string' || mediaType === '') throw invalid(`${where}: mediaType is required`);
  if (typeof digest !== 'string' || !looksLikeDigest(digest)) throw invalid(`${where}: invalid digest`, { digest });
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw invalid(`${where}: size must be a non-negative integer`);
  if (artifactType !== undefined && typeof artifactType !== 'string') throw invalid(`${where}: artifactType must be a string`);
  if (urls !== undefined && !(Array.isArray(urls) && urls.every((u) => typeof u === 'string'))) throw invalid(`${where}: urls must be strings`);
  const annotations = parseAnnotations(v['annotations'], where);
  return {
    mediaType,
    digest,
    size,
    ...(artifactType === undefined ? {} : { artifactType }),
    ...(annotations === undefined ? {} : { annotations }),
    ...(urls === undefined ? {} : { urls: urls as string[] }),
  };
}

function parseDescriptorList(v: unknown, where: string): Descriptor[] {
  if (!Array.isArray(v)) throw invalid(`${where} must be an array`);
  return v.map((d, i) => parseDescriptor(d, `${where}[${i}]`));
}

/** Layers the registry never holds: they carry `urls` and are fetched from elsewhere. */
function isForeign(d: Descriptor): boolean {
  return d.urls !== undefined && d.urls.length > 0;
}

/**
 * Resolves which media type a pushed manifest has: the Content-Type when it names a manifest type,
 * else the document's `mediaType`, else (OCI allows omitting it) its shape.
 */
function resolveMediaType(contentType: string | undefined, doc: Json): string {
  const declared = doc['mediaType'];
  if (declared !== undefined && typeof declared !== 'string') throw invalid('mediaType must be a string');
  if (contentType !== undefined && isManifestMediaType(contentType)) {
    if (declared !== undefined && declared !== contentType) {
      throw invalid(`manifest mediaType '${declared}' does not match Content-Type '${contentType}'`);
    }
    return contentType;
  }
  if (declared !== undefined) {
    if (!isManifestMediaType(declared)) throw invalid(`unsupported manifest media type '${declared}'`);
    return declared;
  }
  if (contentType !== undefined && contentType !== 'application/json' && contentType !== 'application/octet-stream') {
    throw invalid(`unsupported manifest media type '${contentType}'`);
  }
  if ('manifests' in doc) return ManifestMediaType.ociIndex;
  if ('config' in doc) return ManifestMediaType.ociManifest;
  throw invalid('cannot tell the manifest media type: set Content-Type or mediaType');
}

/**
 * Validates a pushed manifest. Throws MANIFEST_INVALID (a {@link RegistryError}) with a reason when
 * it is not JSON, not schema version 2, of an unsupported media type, or malformed.
 * @param text the body decoded as UTF-8; @param contentType the request's Content-Type header.
 */
export function parseManifest(text: string, contentType: string | undefined): ParsedManifest {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw invalid('manifest is not valid JSON');
  }
  if (!isObject(doc)) throw invalid('manifest must be a JSON object');
  if (doc['schemaVersion'] !== 2) throw invalid('unsupported manifest schemaVersion; expected 2');
  const mediaType = resolveMediaType(normalizeContentType(contentType), doc);
  const artifactType = doc['artifactType'];
  if (artifactType !== undefined && typeof artifactType !== 'string') throw invalid('artifactType must be a string');
  const subject = doc['subject'] === undefined ? undefined : parseDescriptor(doc['subject'], 'subject');
  const annotations = parseAnnotations(doc['annotations'], 'manifest');
  const common = {
    mediaType,
    ...(subject === undefined ? {} : { subject }),
    ...(artifactType === undefined ? {} : { artifactType }),
    ...(annotations === undefined ? {} : { annotations }),
  };
  if (INDEX_TYPES.has(mediaType)) {
    if ('config' in doc || 'layers' in doc) throw invalid('an index has manifests, not config or layers');
    const manifests = parseDescriptorList(doc['manifests'], 'manifests');
    return { ...common, kind: 'index', blobs: [], manifests };
  }
  if ('manifests' in doc) throw invalid('an image manifest has config and layers, not manifests');
  const config = parseDescriptor(doc['config'], 'config');
  const layers = parseDescriptorList(doc['layers'] ?? [], 'layers');
  if (mediaType === ManifestMediaType.dockerManifest && layers.length === 0 && doc['layers'] === undefined) {
    throw invalid('layers is required');
  }
  return { ...common, kind: 'image', blobs: [config, ...layers.filter((l) => !isForeign(l))], manifests: [], configMediaType: config.mediaType };
}

/**
 * The descriptor a referrers list shows for a manifest that has a `subject` (distribution spec,
 * "Listing Referrers"): artifactType falls back to the config media type for images.
 */
export function referrerDescriptor(parsed: ParsedManifest, digest: string, size: number): Descriptor {
  const artifactType = parsed.artifactType ?? (parsed.kind === 'image' ? parsed.configMediaType : undefined);
  return {
    mediaType: parsed.mediaType,
    digest,
    size,
    ...(artifactType === undefined ? {} : { artifactType }),
    ...(parsed.annotations === undefined ? {} : { annotations: parsed.annotations }),
  };
}

/** Digests a manifest references that this registry can hold (sha256 only); others are unknown by definition. */
export function isStorableDigest(digest: string): boolean {
  return isSha256Digest(digest);
}
