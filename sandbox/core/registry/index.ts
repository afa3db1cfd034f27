/** The registry's pure core: grammar, error codes, byte ranges, manifest validation and routes. */
export { RegistryError, RegistryErrorCode, EcrMessages, isRegistryError } from './errors.ts';
export type { RegistryErrorCodeName, RegistryErrorBody } from './errors.ts';
export {
  isRepositoryName,
  isTag,
  isSha256Digest,
  digestHex,
  looksLikeDigest,
  isUploadId,
  isAccountId,
  parseManifestReference,
} from './grammar.ts';
export type { ManifestReference } from './grammar.ts';
export { parseRangeHeader, parseUploadContentRange, uploadRangeHeader } from './range.ts';
export type { ByteRange, RangeDecision } from './range.ts';
export {
  ManifestMediaType,
  MAX_MANIFEST_BYTES,
  isManifestMediaType,
  normalizeContentType,
  parseManifest,
  referrerDescriptor,
  isStorableDigest,
} from './manifest.ts';
export type { Descriptor, ParsedManifest } from './manifest.ts';
export { parseRegistryPath } from './routes.ts';
export type { RegistryRoute } from './routes.ts';
