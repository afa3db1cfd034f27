import { createServer, request, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { chmod, chown, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { checkAuth, checkContainerCreate, decide, redactInfo, unversionedPath, type GatePolicy } from './policy.ts';

/** Small JSON bodies the gate reads to decide (login, container create); anything bigger is refused. */
const MAX_INSPECTED_BODY = 256 * 1024;
/** `docker info` answers are small; read at most this much to redact it. */
const MAX_INFO = 1024 * 1024;

export interface GateOptions {
  /** Folder of the gate's socket (`docker.sock`), bound read-only into the learner's sandbox at the same path. */
  readonly dir: string;
  /** The learner's uid/gid: the socket is theirs alone (mode 0600). */
  readonly owner: { uid: number; gid: number };
  readonly policy: GatePolicy;
  /** The learner's engine socket (started on demand). */
  readonly upstream: () => Promise<string>;
  readonly log: (msg: string) => void;
}

/**
 * One learner's Docker Engine API: a unix socket their `docker` talks to (DOCKER_HOST). Each request is checked
 * against the {@link GatePolicy} and then streamed to the learner's own engine with node:http — request and
 * response bodies are piped, never buffered (a build context can be gigabytes; push and pull stream progress),
 * except the few small JSON bodies the policy must read.
 */
export class DockerGate {
  private readonly _server: Server;
  private readonly _sockets = new Set<Duplex>();
  readonly socketPath: string;
  readonly dockerHost: string;

  private constructor(private readonly _options: GateOptions) {
    this.socketPath = path.join(_options.dir, 'docker.sock');
    this.dockerHost = `unix://${this.socketPath}`;
    this._server = createServer((req, res) => void this._handle(req, res).catch((err: Error) => this._fail(res, err)));
    this._server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this._upgrade(req, socket, head));
    this._server.on('connection', (s) => {
      this._sockets.add(s);
      s.once('close', () => this._sockets.delete(s));
    });
  }

  static async listen(options: GateOptions): Promise<DockerGate> {
    await mkdir(options.dir, { recursive: true, mode: 0o700 });
    await chown(options.dir, options.owner.uid, options.owner.gid);
    await chmod(options.dir, 0o700);
    const gate = new DockerGate(options);
    await rm(gate.socketPath, { force: true });
    await new Promise<void>((resolve, reject) => {
      gate._server.once('error', reject);
      gate._server.listen(gate.socketPath, () => resolve());
    });
    await chown(gate.socketPath, options.owner.uid, options.owner.gid);
    await chmod(gate.socketPath, 0o600);
    return gate;
  }

  private async _handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://docker');
    const decision = decide({ method: req.method ?? 'GET', path: unversionedPath(url.pathname), query: url.searchParams }, this._options.policy);
    if (decision.kind === 'deny') return refuse(res, 403, decision.message);
    let body: Buffer | undefined;
    if (decision.body) {
      const raw = await readBody(req, MAX_INSPECTED_BODY);
      if (!raw) return refuse(res, 413, 'request body too large');
      const parsed = parseJson(raw);
      const problem = decision.body === 'auth' ? checkAuth(parsed, this._options.policy) : checkContainerCreate(parsed);
      if (problem) return refuse(res, 403, problem);
      // checkContainerCreate may have added default limits.
      body = decision.body === 'container-create' ? Buffer.from(JSON.stringify(parsed)) : raw;
    }
    const socketPath = await this._options.upstream();
    const headers = forwardedHeaders(req.headers, body);
    const upstream = request({ socketPath, method: req.method, path: req.url, headers });
    upstream.on('response', (up) => {
      if (decision.response === 'redact-info' && up.statusCode === 200) {
        void readBody(up, MAX_INFO).then((raw) => {
          const info = raw ? parseJson(raw) : undefined;
          if (!info || typeof info !== 'object') return refuse(res, 502, 'the container engine gave an unreadable answer');
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(redactInfo(info as Record<string, unknown>)));
        });
        return;
      }
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', (err) => this._fail(res, err));
    // A client that goes away (Ctrl-C on `docker build`) cancels the engine's work too.
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    if (body) upstream.end(body);
    else req.pipe(upstream);
  }

  /** `docker run`'s attach: an HTTP upgrade to a raw stream, allowed only where containers are. */
  private _upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://docker');
    const decision = decide({ method: req.method ?? 'GET', path: unversionedPath(url.pathname), query: url.searchParams }, this._options.policy);
    if (decision.kind === 'deny' || decision.body) {
      const message = decision.kind === 'deny' ? decision.message : 'not allowed in this classroom';
      socket.end(`HTTP/1.1 403 Forbidden\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n${JSON.stringify({ message })}`);
      return;
    }
    void this._options.upstream().then(
      (socketPath) => {
        const upstream = request({ socketPath, method: req.method, path: req.url, headers: req.headers });
        upstream.on('upgrade', (up, upSocket, upHead) => {
          socket.write(`HTTP/1.1 ${up.statusCode} ${up.statusMessage}\r\n${rawHeaders(up.rawHeaders)}\r\n`);
          if (upHead.length) socket.write(upHead);
          if (head.length) upSocket.write(head);
          upSocket.pipe(socket).pipe(upSocket);
          upSocket.on('error', () => socket.destroy());
          socket.on('error', () => upSocket.destroy());
        });
        upstream.on('response', (up) => {
          socket.write(`HTTP/1.1 ${up.statusCode} ${up.statusMessage}\r\n${rawHeaders(up.rawHeaders)}\r\n`);
          up.pipe(socket);
        });
        upstream.on('error', () => socket.destroy());
        req.pipe(upstream);
      },
      () => socket.destroy(),
    );
  }

  private _fail(res: ServerResponse, err: Error): void {
    // The learner sees that the engine failed, never the server's paths or stack.
    this._options.log(`docker gate: ${err.message}`);
    if (!res.headersSent) refuse(res, 502, 'the container engine is not available right now');
    else res.destroy();
  }

  async dispose(): Promise<void> {
    for (const s of this._sockets) s.destroy();
    await new Promise<void>((resolve) => this._server.close(() => resolve()));
    await rm(this.socketPath, { force: true });
  }
}

function refuse(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ message }));
}

function forwardedHeaders(headers: IncomingHttpHeaders, body: Buffer | undefined): IncomingHttpHeaders {
  const out = { ...headers };
  if (body) {
    delete out['transfer-encoding'];
    out['content-length'] = String(body.length);
  }
  return out;
}

function rawHeaders(raw: string[]): string {
  let out = '';
  for (let i = 0; i + 1 < raw.length; i += 2) out += `${raw[i]}: ${raw[i + 1]}\r\n`;
  return out;
}

/** Reads a body up to `limit` bytes; undefined when it is larger. */
function readBody(stream: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        stream.destroy();
        resolve(undefined);
      } else chunks.push(c);
    });
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

function parseJson(raw: Buffer): unknown {
  try {
    return raw.length ? JSON.parse(raw.toString('utf8')) : {};
  } catch {
    return undefined;
  }
}
