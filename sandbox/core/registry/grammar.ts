/**
 * The grammar of what appears in registry URLs: repository names, tags, digests and upload ids.
 * Everything the HTTP layer takes from a path goes through here before it reaches storage, which is
 * what keeps `..`, `%2F` and friends away from the filesystem.
 */

// ECR's repository name rule (2–256 chars), stricter than OCI's (no `__` or `--` runs).
const REPOSITORY_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const TAG = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
const SHA256_DIGEST = /^sha256:([a-f0-9]{64})$/;
// Any well-formed digest (OCI image-spec grammar), to tell "bad syntax" from "unsupported algorithm".
const ANY_DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const UPLOAD_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ACCOUNT_ID = /^[0-9]{12}$/;

/** True when `name` is a valid ECR repository name. */
export function isRepositoryName(name: string): boolean {
  return name.length >= 2 && name.length <= 256 && REPOSITORY_NAME.test(name);
}

/** True when `tag` is a valid tag (OCI: at most 128 chars, `[a-zA-Z0-9_][a-zA-Z0-9._-]*`). */
export function isTag(tag: string): boolean {
  return TAG.test(tag);
}

/** True for a `sha256:<64 lowercase hex>` digest, the only algorithm this registry stores. */
export function isSha256Digest(digest: string): boolean {
  return SHA256_DIGEST.test(digest);
}

/** The 64 hex characters of a sha256 digest, or undefined when it is not one. */
export function digestHex(digest: string): string | undefined {
  return SHA256_DIGEST.exec(digest)?.[1];
}

/** True when `s` has the shape `<algorithm>:<encoded>` of some digest (not necessarily a supported one). */
export function looksLikeDigest(s: string): boolean {
  return ANY_DIGEST.test(s);
}

/** True for the lowercase v4-style UUIDs this registry hands out as upload session ids. */
export function isUploadId(id: string): boolean {
  return UPLOAD_ID.test(id);
}

/** True for a 12-digit AWS account id. */
export function isAccountId(id: string): boolean {
  return ACCOUNT_ID.test(id);
}

/** A manifest reference from a URL: a tag or a digest. */
export type ManifestReference = { readonly kind: 'tag'; readonly tag: string } | { readonly kind: 'digest'; readonly digest: string };

/** Parses `<tag-or-digest>`; undefined when it is neither a valid tag nor a well-formed digest. */
export function parseManifestReference(ref: string): ManifestReference | undefined {
  if (ref.includes(':')) return looksLikeDigest(ref) ? { kind: 'digest', digest: ref } : undefined;
  return isTag(ref) ? { kind: 'tag', tag: ref } : undefined;
}
