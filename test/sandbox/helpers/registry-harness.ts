/**
 * The registry under test, inside the real sandbox, plus a raw HTTP client for it. Repositories are
 * created and passwords obtained through the ECR API (SDK v3), exactly as a learner would.
 */
import { CreateRepositoryCommand, ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { Scope } from '../../../sandbox/contracts.ts';
import { readdirSync, readlinkSync } from 'node:fs';
import { startSandbox } from '../../../sandbox/index.ts';
import type { SandboxHandle } from '../../../sandbox/index.ts';
import { createReferrersIndex, createRegistryHandler } from '../../../sandbox/registry/index.ts';
import { createBlobStore } from '../../../sandbox/storage/blob-store.ts';
import type { BlobStore } from '../../../sandbox/storage/blob-store.ts';

/** A response with its whole body. */
export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** The body parsed as JSON (undefined when it is not JSON). */
  readonly json: any;
}

/** One request; `auth` defaults to a valid password of the default scope, `null` sends none. */
export interface RawRequest {
  readonly method?: string;
  readonly path: string;
  /** Host header; defaults to the ECR-shaped host of the default scope. */
  readonly host?: string;
  readonly headers?: Record<string, string | number>;
  readonly body?: Buffer | string | Readable;
  readonly auth?: string | null;
}

/** A running sandbox with the registry mounted, and the ways tests drive it. */
export interface RegistryHarness {
  readonly sandbox: SandboxHandle;
  readonly port: number;
  readonly dataDir: string;
  readonly blobs: BlobStore;
  /** The default learner's account in us-east-1. */
  readonly scope: Scope;
  /** Provisions another learner and returns its account in `region`. */
  provision(learnerId: string, region?: string): Scope;
  /** `<account>.dkr.ecr.<region>.localhost:<port>` */
  ecrHost(scope?: Scope): string;
  /** `localhost:<port>`, the host that carries no account. */
  readonly fallbackHost: string;
  /** CreateRepository through the ECR API (SDK v3). */
  createRepository(name: string, options?: { scope?: Scope; immutable?: boolean }): Promise<void>;
  /**
   * A registry password from GetAuthorizationToken for `scope`. With `expired`, sandbox time is then
   * moved 13 hours on, so that token (and only tokens issued before) has expired.
   */
  password(scope?: Scope, state?: 'valid' | 'expired'): Promise<string>;
  request(req: RawRequest): Promise<RawResponse>;
  close(): Promise<void>;
}

const TOKEN_LIFETIME_PLUS = 13 * 60 * 60 * 1000;

/**
 * Starts the real sandbox (`startSandbox`) on 127.0.0.1:<random port> with a temp data dir, the
 * blob store and this registry handler, as the composition root wires them.
 */
export async function startRegistryHarness(options: { readonly referrers?: boolean } = {}): Promise<RegistryHarness> {
  const dataDir = await mkdtemp(join(tmpdir(), 'registry-test-'));
  const blobs = createBlobStore({ dataDir });
  const sandbox = await startSandbox({
    port: 0,
    dataDir,
    registryHostNaming: 'ecr',
    blobs,
    createRegistryHandler: ({ imageService, registryAuth }) =>
      createRegistryHandler(
        { auth: registryAuth, images: imageService, blobs, ...(options.referrers === false ? {} : { referrers: createReferrersIndex({ dataDir }) }) },
        { onUnexpectedError: (err, req) => console.error('registry bug', req.method, req.url, (err as Error).stack) },
      ),
  });
  const port = sandbox.port;
  const learners = new Map<string, { accessKeyId: string; secretAccessKey: string }>();
  const clients: ECRClient[] = [];
  const provision = (learnerId: string, region = 'us-east-1'): Scope => {
    const account = sandbox.accounts.provision(learnerId);
    learners.set(account.accountId, account);
    return { accountId: account.accountId, region };
  };
  const client = (scope: Scope): ECRClient => {
    const creds = learners.get(scope.accountId);
    if (creds === undefined) throw new Error(`no learner owns account ${scope.accountId}`);
    const c = new ECRClient({ endpoint: sandbox.endpoint, region: scope.region, credentials: creds, maxAttempts: 1 });
    clients.push(c);
    return c;
  };
  const scope = provision('alice');
  const ecrHost = (s: Scope = scope) => `${s.accountId}.dkr.ecr.${s.region}.localhost:${port}`;
  const password = async (s: Scope = scope): Promise<string> => {
    const out = await client(s).send(new GetAuthorizationTokenCommand({}));
    const token = out.authorizationData?.[0]?.authorizationToken;
    if (!token) throw new Error('GetAuthorizationToken returned no token');
    const decoded = Buffer.from(token, 'base64').toString('utf8');
    if (!decoded.startsWith('AWS:')) throw new Error('token is not AWS:<password>');
    return decoded.slice(4);
  };
  let defaultPassword = await password();

  return {
    sandbox,
    port,
    dataDir,
    blobs,
    scope,
    provision,
    ecrHost,
    fallbackHost: `localhost:${port}`,
    async createRepository(name, options = {}) {
      await client(options.scope ?? scope).send(
        new CreateRepositoryCommand({ repositoryName: name, imageTagMutability: options.immutable ? 'IMMUTABLE' : 'MUTABLE' }),
      );
    },
    async password(s = scope, state = 'valid') {
      const pw = await password(s);
      if (state === 'expired') {
        // Sandbox time (the admin clock), not the host clock: SigV4 keeps working, tokens age.
        const res = await fetch(`${sandbox.endpoint}/_sandbox/clock`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${sandbox.adminToken}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ advanceDays: TOKEN_LIFETIME_PLUS / 86_400_000 }),
        });
        if (!res.ok) throw new Error(`advancing the sandbox clock failed: ${res.status}`);
        defaultPassword = await password();
      }
      return pw;
    },
    request(req) {
      const pw = req.auth === undefined ? defaultPassword : req.auth;
      return rawRequest(port, { ...req, host: req.host ?? ecrHost() }, pw);
    },
    async close() {
      clients.forEach((c) => c.destroy());
      await sandbox.dispose();
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

/**
 * How many files this process has open whose path contains `part`. The harness runs the sandbox in the test's
 * process, so the sandbox's open files are the test's.
 */
export function openFilesMatching(part: string): number {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`).includes(part);
    } catch {
      return false; // the descriptor closed while we looked
    }
  }).length;
}
