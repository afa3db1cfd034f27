/**
 * The registry's HTTP entry point: authenticate, route, dispatch, and turn errors into registry
 * error responses. The sandbox front door calls it for every `/v2/...` request with the
 * {@link RegistryHost} it read from the Host header.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RegistryHost, RegistryHttpHandler } from '../contracts.ts';
import { RegistryError, isRegistryError, parseRegistryPath } from '../core/registry/index.ts';
import type { RegistryRoute } from '../core/registry/index.ts';
import { authorize } from './access.ts';
import { handleBlob } from './blobs.ts';
import { unsupported } from './context.ts';
import type { RegistryDeps, RepoRequest } from './context.ts';
import { API_VERSION_HEADER, safeHost, sendEmpty, sendRegistryError } from './http.ts';
import { handleManifest, handleReferrers } from './manifests.ts';
import { handleTags } from './tags.ts';
import { handleStartUpload, handleUpload } from './uploads.ts';

/** Bodies up to this size are drained after an error so the connection can be reused; larger ones close it. */
const DRAIN_LIMIT = 1024 * 1024;

/** Options of {@link createRegistryHandler}. */
export interface RegistryHandlerOptions {
  /** Called with unexpected errors (bugs, I/O failures) before a 500 is sent. Defaults to console.error. */
  readonly onUnexpectedError?: (err: unknown, req: IncomingMessage) => void;
}

/**
 * Creates the OCI distribution (Docker Registry v2) handler with ECR's behaviour.
 * @example
 * const blobs = createBlobStore({ dataDir });
 * const registryHandler = createRegistryHandler({ auth: tokens, images, blobs });
 * // front door: if (url.pathname.startsWith('/v2')) return registryHandler(req, res, parseRegistryHost(req.headers.host));
 */
export function createRegistryHandler(deps: RegistryDeps, options: RegistryHandlerOptions = {}): RegistryHttpHandler {
  const onUnexpected = options.onUnexpectedError ?? ((err: unknown) => console.error('sandbox registry: unexpected error', err));

  return async (req: IncomingMessage, res: ServerResponse, registryHost: RegistryHost): Promise<void> => {
    res.setHeader(API_VERSION_HEADER[0], API_VERSION_HEADER[1]);
    try {
      await dispatch(deps, req, res, registryHost);
    } catch (err) {
      if (isClientGone(err, res)) {
        res.destroy();
        return;
      }
      if (res.headersSent) {
        // Mid-stream failure (disk error): the status is gone, only cutting the connection is honest.
        if (!isRegistryError(err)) onUnexpected(err, req);
        res.destroy();
        return;
      }
      settleRequestBody(req, res);
      if (isRegistryError(err)) {
        sendRegistryError(res, err);
      } else {
        onUnexpected(err, req);
        sendRegistryError(res, new RegistryError('UNKNOWN', 'unknown error'));
      }
    }
  };
}

async function dispatch(deps: RegistryDeps, req: IncomingMessage, res: ServerResponse, registryHost: RegistryHost): Promise<void> {
  const method = req.method ?? 'GET';
  const target = req.url ?? '/';
  // The query is read through URL (the base is a placeholder); the path is taken raw, because URL
  // would resolve `a/../b` into another repository's name instead of letting us reject it.
  const url = new URL(target, 'http://registry.invalid');
  const rawPath = target.split('?', 1)[0] ?? '/';
  let route: RegistryRoute | undefined;
  let routeError: unknown;
  try {
    route = parseRegistryPath(rawPath);
  } catch (err) {
    routeError = err;
  }
  // Credentials first, as ECR does: an anonymous caller learns nothing about names or paths.
  const scope = authorize(deps.auth, req.headers.authorization, registryHost, safeHost(req), route ?? { kind: 'base' }, method);
  if (routeError !== undefined) throw routeError;
  if (route === undefined) {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('404 page not found\n');
    return;
  }
  if (route.kind === 'base') {
    if (method !== 'GET' && method !== 'HEAD') throw unsupported();
    sendEmpty(res, 200, { 'Content-Type': 'application/json; charset=utf-8' });
    return;
  }
  // ECR does not offer the catalog endpoint (DescribeRepositories is the way to list repositories).
  if (route.kind === 'catalog') throw unsupported();
  const ctx: RepoRequest = { req, res, url, method, scope, name: route.name, deps };
  switch (route.kind) {
    case 'manifest':
      return handleManifest(ctx, route.reference);
    case 'blob':
      return handleBlob(ctx, route.digest);
    case 'uploads':
      return handleStartUpload(ctx);
    case 'upload':
      return handleUpload(ctx, route.uploadId);
    case 'tags':
      return handleTags(ctx);
    case 'referrers':
      return handleReferrers(ctx, route.digest);
  }
}

const DISCONNECT_CODES = new Set(['ERR_STREAM_PREMATURE_CLOSE', 'ECONNRESET', 'EPIPE', 'ECONNABORTED']);

/** A client that hangs up mid-request or mid-download is normal traffic, not a registry bug. */
function isClientGone(err: unknown, res: ServerResponse): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return (typeof code === 'string' && DISCONNECT_CODES.has(code)) || (res.destroyed && !res.writableFinished);
}

/**
 * After an early error the request body may be unread. Small ones are drained so keep-alive works;
 * big ones (a rejected layer) would cost a full upload, so the connection is closed instead.
 */
function settleRequestBody(req: IncomingMessage, res: ServerResponse): void {
  if (req.readableEnded || req.destroyed) return;
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared <= DRAIN_LIMIT) {
    req.resume();
    return;
  }
  res.setHeader('Connection', 'close');
  res.once('finish', () => req.destroy());
}
