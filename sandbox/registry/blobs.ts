/** `GET|HEAD|DELETE /v2/<name>/blobs/<digest>`: blob reads (with Range) from the account's blob store. */
import { RegistryError, isSha256Digest, looksLikeDigest, parseRangeHeader } from '../core/registry/index.ts';
import { unsupported } from './context.ts';
import type { RepoRequest } from './context.ts';

/** Serves one blob route. */
export async function handleBlob(ctx: RepoRequest, digest: string): Promise<void> {
  const { method, res } = ctx;
  if (method === 'DELETE') {
    // ECR has no blob deletion through the registry API (layers go with their images).
    throw unsupported();
  }
  if (method !== 'GET' && method !== 'HEAD') throw unsupported();
  if (!looksLikeDigest(digest)) throw new RegistryError('DIGEST_INVALID', 'provided digest did not match uploaded content', { digest, reason: 'invalid digest' });
  const size = isSha256Digest(digest) ? await ctx.deps.blobs.size(ctx.scope.accountId, digest) : undefined;
  if (size === undefined) throw new RegistryError('BLOB_UNKNOWN', 'blob unknown to registry', { digest });

  const headers = {
    'Content-Type': 'application/octet-stream',
    'Docker-Content-Digest': digest,
    'Accept-Ranges': 'bytes',
    ETag: `"${digest}"`,
    'Cache-Control': 'max-age=31536000',
  };
  const decision = parseRangeHeader(ctx.req.headers.range, size);
  if (decision.kind === 'unsatisfiable') {
    res.writeHead(416, { 'Content-Range': `bytes */${size}`, 'Content-Length': 0 });
    res.end();
    return;
  }
  const range = decision.kind === 'partial' ? decision.range : undefined;
  if (range === undefined) res.writeHead(200, { ...headers, 'Content-Length': size });
  else {
    res.writeHead(206, { ...headers, 'Content-Length': range.end - range.start + 1, 'Content-Range': `bytes ${range.start}-${range.end}/${size}` });
  }
  if (method === 'HEAD' || size === 0) {
    res.end();
    return;
  }
  await ctx.deps.blobs.writeTo(ctx.scope.accountId, digest, range ?? { start: 0, end: size - 1 }, res);
  res.end();
}
