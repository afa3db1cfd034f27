import { createServer, request, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { chmod, chown, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { MAX_CONTAINERS_PER_LEARNER, checkAuth, checkContainerCreate, decide, redactInfo, unversionedPath, type GatePolicy } from './policy.ts';

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
    if (decision.body === 'container-create' && (await containerCount(socketPath)) >= MAX_CONTAINERS_PER_LEARNER) {
      return refuse(res, 403, `more than ${MAX_CONTAINERS_PER_LEARNER} containers at a time is not allowed in this classroom (remove one with docker rm -f)`);
    }
    const headers = forwardedHeaders(req.headers, body);
    let forwardedPath = req.url;
    if (decision.response === 'wait-removed') {
      url.searchParams.set('condition', 'next-exit');
      forwardedPath = url.pathname + url.search;
    }
    const upstream = request({ socketPath, method: req.method, path: forwardedPath, headers });
    upstream.on('response', (up) => {
      if (decision.response === 'wait-removed' && up.statusCode === 200) {
        res.writeHead(200, up.headers).flushHeaders();
        const container = url.pathname.replace(/\/wait$/, '');
        void readBody(up, MAX_INSPECTED_BODY)
          .then(async (answer) => {
            await untilRemoved(socketPath, `${container}/json`, () => res.destroyed);
            res.end(answer);
          })
          .catch((err: Error) => this._fail(res, err));
        return;
      }
      if (decision.response === 'redact-info' && up.statusCode === 200) {
        void readBody(up, MAX_INFO).then((raw) => {
          const info = raw ? parseJson(raw) : undefined;
          if (!info || typeof info !== 'object') return refuse(res, 502, 'the container engine gave an unreadable answer');
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(redactInfo(info as Record<string, unknown>)));
        });
        return;
      }
      res.writeHead(up.statusCode ?? 502, up.headers);
      // Node sends the head with the first body byte; some answers have none for a long time, and the client
      // waits for the head (`docker run` does not start the container until `POST /wait` has answered 200).
      res.flushHeaders();
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

  /**
   * `docker run`'s attach: an HTTP upgrade (`Upgrade: tcp`) to a raw stream both ways, allowed only where
   * containers are. Once the engine has answered `101`, every byte is the container's stdin or output, no longer
   * HTTP, so the two sockets are simply piped. Any other answer (an error) is passed on and the connection closed,
   * so nothing the client sends after it can reach the engine unchecked.
   */
  private _upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://docker');
    const decision = decide({ method: req.method ?? 'GET', path: unversionedPath(url.pathname), query: url.searchParams }, this._options.policy);
    socket.on('error', () => socket.destroy());
    if (decision.kind === 'deny' || decision.body) {
      const message = decision.kind === 'deny' ? decision.message : 'not allowed in this classroom';
      socket.end(`HTTP/1.1 403 Forbidden\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n${JSON.stringify({ message })}`);
      return;
    }
    void this._options.upstream().then(
      (socketPath) => {
        if (socket.destroyed) return;
        // An upgrade request's body is never read (attach has none); what follows the head is the stream.
        const headers = { ...req.headers, 'content-length': '0' };
        delete headers['transfer-encoding'];
        // Its own connection (no agent): it becomes the raw stream and is never reused for another request.
        const upstream = request({ socketPath, method: req.method, path: req.url, headers, agent: false });
        upstream.on('upgrade', (up, upSocket, upHead) => {
          socket.write(`HTTP/1.1 ${up.statusCode} ${up.statusMessage}\r\n${rawHeaders(up.rawHeaders)}\r\n`);
          if (upHead.length) socket.write(upHead);
          if (head.length) upSocket.write(head);
          // Both directions stream, and each end is passed on: `docker run -i` closes its side when stdin ends
          // and still reads the container's output until the engine closes.
          upSocket.pipe(socket);
          socket.pipe(upSocket);
          upSocket.on('error', () => socket.destroy());
          socket.on('error', () => upSocket.destroy());
          upSocket.on('close', () => socket.destroy());
          socket.on('close', () => upSocket.destroy());
        });
        upstream.on('response', (up) => {
          const { 'transfer-encoding': _te, connection: _c, 'keep-alive': _k, ...rest } = up.headers;
          let out = `HTTP/1.1 ${up.statusCode} ${up.statusMessage}\r\n`;
          for (const [name, value] of Object.entries(rest)) for (const v of [value ?? []].flat()) out += `${name}: ${v}\r\n`;
          socket.write(`${out}connection: close\r\n\r\n`);
          up.pipe(socket);
        });
        upstream.on('error', () => socket.destroy());
        socket.once('close', () => upstream.destroy());
        upstream.end();
      },
      () => socket.end(`HTTP/1.1 502 Bad Gateway\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n${JSON.stringify({ message: 'the container engine is not available right now' })}`),
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

/** How many containers (running or not) the learner's engine has. */
function containerCount(socketPath: string): Promise<number> {
  return new Promise((resolve, reject) => {
    request({ socketPath, path: '/containers/json?all=true' }, (r) => {
      void readBody(r, MAX_INFO).then((raw) => {
        const list = raw ? parseJson(raw) : undefined;
        if (Array.isArray(list)) resolve(list.length);
        else reject(new Error('the container engine gave an unreadable container list'));
      }, reject);
    })
      .on('error', reject)
      .end();
  });
}

/** How long `docker run --rm` waits for the engine's cleanup after the container exited. */
const REMOVAL_GRACE_MS = 10_000;

/**
 * Waits until the engine no longer knows the container (its `--rm` cleanup runs as the container exits), so
 * `docker run --rm` returns when the container is gone, as with Docker. Bounded: the exit code matters more.
 */
async function untilRemoved(socketPath: string, inspectPath: string, gaveUp: () => boolean): Promise<void> {
  const deadline = Date.now() + REMOVAL_GRACE_MS;
  while (Date.now() < deadline && !gaveUp()) {
    const status = await new Promise<number>((resolve) => {
      request({ socketPath, path: inspectPath }, (r) => {
        r.resume();
        resolve(r.statusCode ?? 0);
      })
        .on('error', () => resolve(0))
        .end();
    });
    if (status === 404) return;
    await new Promise((r) => setTimeout(r, 100));
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
