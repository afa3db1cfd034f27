/**
 * `GET|HEAD|PUT|DELETE /v2/<name>/manifests/<tag-or-digest>`. Manifests are validated here (JSON,
 * media type, referenced blobs and child manifests) and stored through the ECR image model
 * (`IImageService`), which owns tags, immutability and what happens after a push.
 */
import { createHash } from 'node:crypto';
import type { StoredManifest } from '../contracts.ts';
import { EcrMessages, MAX_MANIFEST_BYTES, RegistryError, isSha256Digest, ManifestMediaType, parseManifest, parseManifestReference, referrerDescriptor } from '../core/registry/index.ts';
import type { ParsedManifest } from '../core/registry/index.ts';
import { repositoryNotFound, requireRepository } from './context.ts';
import type { RepoRequest } from './context.ts';
import { readBody, sendEmpty } from './http.ts';

const UTF8 = new TextDecoder('utf-8', { fatal: true });

function manifestUnknown(reference: string): RegistryError {
  return new RegistryError('MANIFEST_UNKNOWN', EcrMessages.manifestUnknown, { reference });
}

/** Serves one manifest route. */
export async function handleManifest(ctx: RepoRequest, reference: string): Promise<void> {
  requireRepository(ctx);
  switch (ctx.method) {
    case 'GET':
    case 'HEAD':
      return getManifest(ctx, reference);
    case 'PUT':
      return putManifest(ctx, reference);
    case 'DELETE':
      return deleteManifest(ctx, reference);
    default:
      throw new RegistryError('UNSUPPORTED', 'The operation is unsupported.');
  }
}

function getManifest(ctx: RepoRequest, reference: string): void {
  const ref = parseManifestReference(reference);
  const manifest = ref === undefined ? undefined : ctx.deps.images.getManifest(ctx.scope, ctx.name, reference);
  if (manifest === undefined) throw manifestUnknown(reference);
  ctx.res.writeHead(200, {
    'Content-Type': manifest.mediaType,
    'Content-Length': manifest.bytes.byteLength,
    'Docker-Content-Digest': manifest.digest,
    ETag: `"${manifest.digest}"`,
  });
  ctx.res.end(ctx.method === 'HEAD' ? undefined : manifest.bytes);
}

async function putManifest(ctx: RepoRequest, reference: string): Promise<void> {
  const ref = parseManifestReference(reference);
  if (ref === undefined) {
    throw reference.includes(':')
      ? new RegistryError('DIGEST_INVALID', 'provided digest did not match uploaded content', { digest: reference, reason: 'invalid digest' })
      : new RegistryError('TAG_INVALID', `Invalid tag '${reference.slice(0, 200)}'`, { tag: reference.slice(0, 200) });
  }
  if (ref.kind === 'digest' && !isSha256Digest(ref.digest)) {
    throw new RegistryError('DIGEST_INVALID', 'provided digest did not match uploaded content', { digest: ref.digest, reason: 'unsupported digest algorithm' });
  }
  const bytes = await readBody(
    ctx.req,
    MAX_MANIFEST_BYTES,
    () => new RegistryError('MANIFEST_INVALID', `manifest is larger than the ${MAX_MANIFEST_BYTES} bytes allowed`, undefined, { status: 413 }),
  );
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    throw new RegistryError('MANIFEST_INVALID', 'manifest is not valid UTF-8');
  }
  const parsed = parseManifest(text, ctx.req.headers['content-type']);
  // The digest is over the exact bytes received: the registry stores and serves them unchanged.
  const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  if (ref.kind === 'digest' && ref.digest !== digest) {
    throw new RegistryError('DIGEST_INVALID', 'provided digest did not match uploaded content', { expected: ref.digest, actual: digest });
  }
  await checkReferences(ctx, parsed);
  const stored: StoredManifest = { digest, mediaType: parsed.mediaType, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
  await storeManifest(ctx, stored, ref.kind === 'tag' ? ref.tag : undefined);
  const headers: Record<string, string> = { Location: `/v2/${ctx.name}/manifests/${digest}`, 'Docker-Content-Digest': digest };
  // OCI-Subject promises the client that the referrers API lists this manifest: send it only then.
  if (parsed.subject !== undefined && ctx.deps.referrers !== undefined && isSha256Digest(parsed.subject.digest)) {
    await ctx.deps.referrers.add(ctx.scope, ctx.name, parsed.subject.digest, referrerDescriptor(parsed, digest, bytes.byteLength));
    headers['OCI-Subject'] = parsed.subject.digest;
  }
  sendEmpty(ctx.res, 201, headers);
}

/** Every blob must be in the account's store and every child manifest in this repository. */
async function checkReferences(ctx: RepoRequest, parsed: ParsedManifest): Promise<void> {
  const missing: string[] = [];
  for (const blob of parsed.blobs) {
    if (!isSha256Digest(blob.digest) || !(await ctx.deps.blobs.has(ctx.scope.accountId, blob.digest))) missing.push(blob.digest);
  }
  for (const child of parsed.manifests) {
    if (ctx.deps.images.getManifest(ctx.scope, ctx.name, child.digest) === undefined) missing.push(child.digest);
  }
  if (missing.length > 0) {
    const kind = parsed.kind === 'index' ? 'manifest' : 'blob';
    throw new RegistryError('MANIFEST_BLOB_UNKNOWN', `Manifest references ${missing.length} unknown ${kind}(s)`, { digests: missing });
  }
}

/** Hands the manifest to the image model and maps its ECR errors to registry errors. */
async function storeManifest(ctx: RepoRequest, manifest: StoredManifest, tag: string | undefined): Promise<void> {
  try {
    await ctx.deps.images.putManifest(ctx.scope, ctx.name, manifest, tag);
  } catch (err) {
    // Matched by name, as every consumer of AWS-shaped errors does (style.md §5).
    switch ((err as { name?: unknown } | undefined)?.name) {
      case 'RepositoryNotFoundException':
        throw repositoryNotFound(ctx.name, ctx.scope);
      case 'ImageTagAlreadyExistsException':
        throw new RegistryError('TAG_INVALID', EcrMessages.tagImmutable(tag ?? '', ctx.name));
      case 'ImageAlreadyExistsException':
        return; // the same image under the same tag: a re-push is a no-op for registry clients
      case 'ImageDigestDoesNotMatchException':
        throw new RegistryError('DIGEST_INVALID', (err as Error).message);
      case 'InvalidParameterException':
      case 'ValidationException':
        throw new RegistryError('MANIFEST_INVALID', (err as Error).message);
      case 'LimitExceededException':
        throw new RegistryError('TOOMANYREQUESTS', (err as Error).message);
      default:
        throw err;
    }
  }
}

/** `GET /v2/<name>/referrers/<digest>[?artifactType=]`: an OCI index of the manifests whose subject is `digest`. */
export async function handleReferrers(ctx: RepoRequest, subject: string): Promise<void> {
  if (ctx.method !== 'GET' && ctx.method !== 'HEAD') throw new RegistryError('UNSUPPORTED', 'The operation is unsupported.');
  const index = ctx.deps.referrers;
  if (index === undefined) throw new RegistryError('UNSUPPORTED', 'The operation is unsupported.', undefined, { status: 404 });
  requireRepository(ctx);
  if (!isSha256Digest(subject)) throw new RegistryError('DIGEST_INVALID', 'provided digest did not match uploaded content', { digest: subject, reason: 'invalid digest' });
  const artifactType = ctx.url.searchParams.get('artifactType') ?? undefined;
  const present = (await index.list(ctx.scope, ctx.name, subject)).filter((d) => ctx.deps.images.getManifest(ctx.scope, ctx.name, d.digest) !== undefined);
  const manifests = artifactType === undefined ? present : present.filter((d) => d.artifactType === artifactType);
  const body = JSON.stringify({ schemaVersion: 2, mediaType: ManifestMediaType.ociIndex, manifests });
  const headers: Record<string, string | number> = { 'Content-Type': ManifestMediaType.ociIndex, 'Content-Length': Buffer.byteLength(body) };
  if (artifactType !== undefined) headers['OCI-Filters-Applied'] = 'artifactType';
  ctx.res.writeHead(200, headers);
  ctx.res.end(ctx.method === 'HEAD' ? undefined : body);
}

function deleteManifest(ctx: RepoRequest, reference: string): void {
  const ref = parseManifestReference(reference);
  if (ref === undefined) throw manifestUnknown(reference);
  // The image model deletes whole images (digest, with all their tags); removing a single tag is
  // BatchDeleteImage's job, so tag deletes are refused the way the spec allows (405 UNSUPPORTED).
  if (ref.kind === 'tag') throw new RegistryError('UNSUPPORTED', 'The operation is unsupported.', { reason: 'delete by digest' });
  if (!ctx.deps.images.deleteManifest(ctx.scope, ctx.name, ref.digest)) throw manifestUnknown(reference);
  sendEmpty(ctx.res, 202);
}
