/**
 * A registry under test plus a raw HTTP client for it. The tests speak only to this harness
 * (create a repository, get a password, send requests), so the same suites run against the
 * registry handler mounted on a bare `node:http` server with in-test contract implementations.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { RegistryHost, Scope } from '../../../sandbox/contracts.ts';
import { createRegistryHandler } from '../../../sandbox/registry/index.ts';
import { createBlobStore } from '../../../sandbox/storage/blob-store.ts';
import type { BlobStore } from '../../../sandbox/storage/blob-store.ts';
import { FakeImageService, FakeRegistryAuth } from './registry-fakes.ts';

/** The default learner account of the tests. */
export const SCOPE: Scope = { accountId: '111111111111', region: 'us-east-1' };

/** A response with its whole body. */
export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** The body parsed as JSON (undefined when it is not JSON). */
  readonly json: any;
}

/** One request; `auth` defaults to a valid password of {@link SCOPE}, `null` sends none. */
export interface RawRequest {
  readonly method?: string;
  readonly path: string;
  /** Host header; defaults to the ECR-shaped host of SCOPE. */
  readonly host?: string;
  readonly headers?: Record<string, string | number>;
  readonly body?: Buffer | string | Readable;
  readonly auth?: string | null;
}

/** A running registry for tests. */
export interface RegistryHarness {
  readonly port: number;
  readonly dataDir: string;
  readonly blobs: BlobStore;
  /** `<account>.dkr.ecr.<region>.localhost:<port>` */
  ecrHost(scope?: Scope): string;
  /** `localhost:<port>`, the host that carries no account. */
  readonly fallbackHost: string;
  createRepository(name: string, options?: { scope?: Scope; immutable?: boolean }): Promise<void>;
  /** A registry password for `scope` (as GetAuthorizationToken hands out). */
  password(scope?: Scope, state?: 'valid' | 'expired'): Promise<string>;
  request(req: RawRequest): Promise<RawResponse>;
  close(): Promise<void>;
}

const ECR_HOST = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.localhost(?::\d+)?$/;

function registryHostOf(host: string | undefined): RegistryHost {
  const m = host === undefined ? null : ECR_HOST.exec(host);
  return m ? { kind: 'ecr', scope: { accountId: m[1]!, region: m[2]! } } : { kind: 'fallback' };
}

/** Starts the registry handler on `127.0.0.1:<random port>` with fresh fakes and a temp data dir. */
export async function startRegistryHarness(): Promise<RegistryHarness> {
  const dataDir = await mkdtemp(join(tmpdir(), 'registry-test-'));
  const images = new FakeImageService();
  const auth = new FakeRegistryAuth();
  const blobs = createBlobStore({ dataDir });
  const handler = createRegistryHandler({ auth, images, blobs }, { onUnexpectedError: (err, req) => console.error('registry bug', req.method, req.url, (err as Error).stack) });
  const server: Server = createServer((req, res) => {
    void handler(req, res, registryHostOf(req.headers.host));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const defaultPassword = auth.issue(SCOPE);
  const ecrHost = (scope: Scope = SCOPE) => `${scope.accountId}.dkr.ecr.${scope.region}.localhost:${port}`;

  return {
    port,
    dataDir,
    blobs,
    ecrHost,
    fallbackHost: `localhost:${port}`,
    async createRepository(name, options = {}) {
      images.createRepository(options.scope ?? SCOPE, name, options.immutable ? 'IMMUTABLE' : 'MUTABLE');
    },
    async password(scope = SCOPE, state = 'valid') {
      return auth.issue(scope, state);
    },
    request(req) {
      const password = req.auth === undefined ? defaultPassword : req.auth;
      return rawRequest(port, { ...req, host: req.host ?? ecrHost() }, password);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Sends one request to 127.0.0.1:`port` with full control of headers and framing. */
export function rawRequest(port: number, req: RawRequest, password: string | null): Promise<RawResponse> {
  const headers: Record<string, string | number> = { Host: req.host ?? `localhost:${port}`, ...req.headers };
  if (password !== null) headers['Authorization'] = `Basic ${Buffer.from(`AWS:${password}`).toString('base64')}`;
  if (typeof req.body === 'string' || Buffer.isBuffer(req.body)) {
    headers['Content-Length'] ??= Buffer.byteLength(req.body);
  }
  return new Promise((resolve, reject) => {
    const r = httpRequest({ host: '127.0.0.1', port, method: req.method ?? 'GET', path: req.path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        let json: unknown;
        try {
          json = body.length > 0 ? JSON.parse(body.toString('utf8')) : undefined;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json });
      });
    });
    r.on('error', reject);
    if (req.body instanceof Readable) req.body.pipe(r);
    else r.end(req.body);
  });
}

/** `sha256:<hex>` of some bytes. */
export function sha256(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** The error codes of a registry error response. */
export function errorCodes(res: RawResponse): string[] {
  return (res.json?.errors ?? []).map((e: { code: string }) => e.code);
}
