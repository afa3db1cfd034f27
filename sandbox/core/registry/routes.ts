/**
 * Maps a `/v2/...` path to a registry route. Repository names may contain `/`, so each route is
 * matched by its fixed suffix; the name is then checked against ECR's grammar, which rejects
 * `..`, percent-escapes and empty segments before anything reaches storage.
 */
import { RegistryError } from './errors.ts';
import { isRepositoryName, isUploadId } from './grammar.ts';

/** A parsed registry route. `name` is always a valid repository name. */
export type RegistryRoute =
  | { readonly kind: 'base' }
  | { readonly kind: 'manifest'; readonly name: string; readonly reference: string }
  | { readonly kind: 'blob'; readonly name: string; readonly digest: string }
  | { readonly kind: 'uploads'; readonly name: string }
  | { readonly kind: 'upload'; readonly name: string; readonly uploadId: string }
  | { readonly kind: 'tags'; readonly name: string }
  | { readonly kind: 'referrers'; readonly name: string; readonly digest: string }
  | { readonly kind: 'catalog' };

const PATTERNS: ReadonlyArray<readonly [RegExp, (name: string, arg: string) => RegistryRoute]> = [
  [/^\/v2\/(.+)\/blobs\/uploads\/?$/, (name) => ({ kind: 'uploads', name })],
  [/^\/v2\/(.+)\/blobs\/uploads\/([^/]+)$/, (name, uploadId) => ({ kind: 'upload', name, uploadId })],
  [/^\/v2\/(.+)\/blobs\/([^/]+)$/, (name, digest) => ({ kind: 'blob', name, digest })],
  [/^\/v2\/(.+)\/manifests\/([^/]+)$/, (name, reference) => ({ kind: 'manifest', name, reference })],
  [/^\/v2\/(.+)\/tags\/list$/, (name) => ({ kind: 'tags', name })],
  [/^\/v2\/(.+)\/referrers\/([^/]+)$/, (name, digest) => ({ kind: 'referrers', name, digest })],
];

/**
 * Parses the path of a registry request (without the query string).
 * Throws NAME_INVALID for a bad repository name, BLOB_UPLOAD_UNKNOWN for a malformed upload id,
 * and returns undefined for paths that are no registry route (404).
 */
export function parseRegistryPath(path: string): RegistryRoute | undefined {
  if (path === '/v2' || path === '/v2/') return { kind: 'base' };
  if (path === '/v2/_catalog') return { kind: 'catalog' };
  for (const [pattern, build] of PATTERNS) {
    const m = pattern.exec(path);
    if (!m) continue;
    const name = m[1] ?? '';
    const arg = m[2] ?? '';
    if (!isRepositoryName(name)) throw new RegistryError('NAME_INVALID', `Invalid repository name '${truncate(name)}'`);
    const route = build(name, arg);
    if (route.kind === 'upload' && !isUploadId(route.uploadId)) {
      throw new RegistryError('BLOB_UPLOAD_UNKNOWN', 'blob upload unknown to registry');
    }
    return route;
  }
  return undefined;
}

function truncate(s: string): string {
  return s.length > 300 ? `${s.slice(0, 300)}…` : s;
}
