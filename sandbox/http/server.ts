/**
 * The sandbox's single port: `POST /` (AWS JSON 1.1 APIs, or the Query protocol's STS when the request is
 * form-encoded), `/v2/...` (the OCI registry, delegated), and `/_sandbox/...` (admin). A handler that throws
 * never takes the process down: the request gets a 500.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { RegistryHttpHandler } from '../contracts.ts';
import { parseRegistryHost } from '../core/registry-host.ts';
import { isQueryProtocolRequest } from '../sts/query-protocol.ts';

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** The three front doors. */
export interface Routes {
  readonly api: Handler;
  readonly admin: Handler;
  readonly registry: RegistryHttpHandler | undefined;
  /** Query-protocol requests to `/` (STS); without it they go to `api` too. */
  readonly query?: Handler;
}

/** Creates (does not start) the HTTP server. */
export function createSandboxServer(routes: Routes): Server {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    let work: Promise<void>;
    try {
      if (path === '/v2' || path.startsWith('/v2/')) {
        work = routes.registry
          ? routes.registry(req, res, parseRegistryHost(req.headers.host))
          : Promise.resolve(notFound(req, res));
      } else if (path.startsWith('/_sandbox/')) {
        work = routes.admin(req, res);
      } else if (path === '/') {
        work = routes.query && isQueryProtocolRequest(req) ? routes.query(req, res) : routes.api(req, res);
      } else {
        work = Promise.resolve(notFound(req, res));
      }
    } catch (err) {
      work = Promise.reject(err);
    }
    work.catch((err: unknown) => {
      console.error('sandbox: request handler failed', err);
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('internal error');
      } else {
        res.destroy();
      }
    });
  });
  // Defaults are generous; a client that stalls mid-body should not hold a socket forever.
  server.requestTimeout = 5 * 60 * 1000;
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  return server;
}

function notFound(req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  res.writeHead(404, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ errors: [{ code: 'NOT_FOUND', message: 'not found' }] }));
}
