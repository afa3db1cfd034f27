/**
 * Blob uploads: `POST /v2/<name>/blobs/uploads/` (session, monolithic `?digest=`, or `?mount=`),
 * and `PATCH|PUT|GET|DELETE /v2/<name>/blobs/uploads/<uuid>`. Bodies stream straight into the blob
 * store; nothing here holds a layer in memory.
 */
import { RegistryError, isSha256Digest, looksLikeDigest, parseUploadContentRange, uploadRangeHeader } from '../core/registry/index.ts';
import type { UploadSession } from '../storage/blob-store.ts';
import { requireRepository, unsupported } from './context.ts';
import type { RepoRequest } from './context.ts';
import { contentLength, hasBody, queryParam, sendEmpty } from './http.ts';

function uploadLocation(name: string, id: string): string {
  return `/v2/${name}/blobs/uploads/${id}`;
}

function sessionHeaders(name: string, session: UploadSession): Record<string, string> {
  return { Location: uploadLocation(name, session.id), Range: uploadRangeHeader(session.size), 'Docker-Upload-UUID': session.id };
}

/** The digest a client names to finish an upload; only sha256 is stored (as on ECR). */
function requireDigest(raw: string | undefined): string {
  if (raw === undefined || raw === '') throw new RegistryError('DIGEST_INVALID', 'provided digest did not match uploaded content', { reason: 'digest query parameter is required' });
  if (!isSha256Digest(raw)) {
    const reason = looksLikeDigest(raw) ? 'unsupported digest algorithm' : 'invalid digest';
    throw new RegistryError('DIGEST_INVALID', 'provided digest did not match uploaded content', { digest: raw, reason });
  }
  return raw;
}

function sendCreated(ctx: RepoRequest, digest: string): void {
  sendEmpty(ctx.res, 201, { Location: `/v2/${ctx.name}/blobs/${digest}`, 'Docker-Content-Digest': digest });
}

/** `POST /v2/<name>/blobs/uploads/`. */
export async function handleStartUpload(ctx: RepoRequest): Promise<void> {
  if (ctx.method !== 'POST') throw unsupported();
  requireRepository(ctx);
  const digestParam = queryParam(ctx.url, 'digest');
  // `?mount=&from=`: cross-repository mount is opt-in on ECR; without it ECR answers with a
  // normal upload session (202), which clients handle by uploading the blob.
  if (digestParam !== undefined && queryParam(ctx.url, 'mount') === undefined) {
    const digest = requireDigest(digestParam);
    const result = await ctx.deps.blobs.putBlob(ctx.scope.accountId, ctx.name, digest, ctx.req, contentLength(ctx.req));
    sendCreated(ctx, result.digest);
    return;
  }
  if (hasBody(ctx.req)) ctx.req.resume(); // a body without ?digest= has no meaning here
  const session = await ctx.deps.blobs.startUpload(ctx.scope.accountId, ctx.name);
  sendEmpty(ctx.res, 202, sessionHeaders(ctx.name, session));
}

/** Routes on an existing session: PATCH (chunk), PUT (finish), GET (status), DELETE (cancel). */
export async function handleUpload(ctx: RepoRequest, uploadId: string): Promise<void> {
  const { blobs } = ctx.deps;
  requireRepository(ctx);
  const session = await blobs.getUpload(uploadId);
  // A session belongs to one account and repository; anything else is someone else's upload.
  if (session === undefined || session.accountId !== ctx.scope.accountId || session.repository !== ctx.name) {
    throw new RegistryError('BLOB_UPLOAD_UNKNOWN', 'blob upload unknown to registry', { uploadId });
  }
  switch (ctx.method) {
    case 'GET':
      sendEmpty(ctx.res, 204, sessionHeaders(ctx.name, session));
      return;
    case 'DELETE':
      if (!(await blobs.cancelUpload(uploadId))) throw new RegistryError('BLOB_UPLOAD_UNKNOWN', 'blob upload unknown to registry', { uploadId });
      sendEmpty(ctx.res, 204);
      return;
    case 'PATCH': {
      const updated = await appendChunk(ctx, session);
      sendEmpty(ctx.res, 202, sessionHeaders(ctx.name, updated));
      return;
    }
    case 'PUT': {
      const digest = requireDigest(queryParam(ctx.url, 'digest'));
      if (hasBody(ctx.req) || ctx.req.headers['content-range'] !== undefined) await appendChunk(ctx, session);
      const result = await blobs.completeUpload(uploadId, digest);
      sendCreated(ctx, result.digest);
      return;
    }
    default:
      throw unsupported();
  }
}

/** Streams one chunk into the session, checking `Content-Range` order (416) and length. */
async function appendChunk(ctx: RepoRequest, session: UploadSession): Promise<UploadSession> {
  const header = ctx.req.headers['content-range'];
  const declared = contentLength(ctx.req);
  if (header === undefined) {
    // A "streamed" PATCH: no range, the body is the next bytes.
    return ctx.deps.blobs.appendUpload(session.id, ctx.req, declared === undefined ? {} : { length: declared });
  }
  const range = parseUploadContentRange(header);
  if (range === undefined) throw new RegistryError('BLOB_UPLOAD_INVALID', `invalid Content-Range '${header}'`);
  const length = range.end - range.start + 1;
  if (declared !== undefined && declared !== length) {
    throw new RegistryError('SIZE_INVALID', `Content-Length ${declared} does not match Content-Range ${header}`);
  }
  try {
    return await ctx.deps.blobs.appendUpload(session.id, ctx.req, { start: range.start, length });
  } catch (err) {
    // Out of order: tell the client where the session really is, so it can resume from there.
    if (err instanceof RegistryError && err.status === 416) {
      const current = (await ctx.deps.blobs.getUpload(session.id)) ?? session;
      throw new RegistryError(err.code, err.message, err.detail, { status: 416, headers: sessionHeaders(ctx.name, current) });
    }
    throw err;
  }
}
