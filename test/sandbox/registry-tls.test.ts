/**
 * The registry over TLS on the sandbox's one port, as learners reach it: the seed course's
 * `aws ecr get-login-password | docker login --username AWS --password-stdin <account>.dkr.ecr.us-east-1.localhost:PORT`
 * with `docker` being the Docker CLI on podman's Docker-compatible API (the sandbox's own socket). podman's
 * compat login forces verified TLS for any host but `localhost:` (pkg/api/handlers/compat/auth.go), so
 * this needs setup-system's certificate; without it the sandbox names its registry `localhost:PORT`,
 * which podman's compat login accepts over plain HTTP — also checked here, with two accounts.
 * Skipped (reason printed) when the TLS files, the docker CLI or a container engine are absent.
 */
import { CreateRepositoryCommand, DescribeImagesCommand, ECRClient, GetAuthorizationTokenCommand, ListImagesCommand } from '@aws-sdk/client-ecr';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { get as httpsGet, request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxHandle } from '../../sandbox/index.ts';
import { runSandbox } from '../../sandbox/main.ts';
import { registryTlsDir } from '../../sandbox/http/registry-tls.ts';

const TLS_DIR = registryTlsDir();
const AWS = '/usr/bin/aws'; // the first `aws` on PATH may be a pyenv v1 shim
const DOCKER = ['/usr/local/bin/docker', '/usr/bin/docker'].find((p) => existsSync(p));
const BUSYBOX = ['/bin/busybox', '/usr/bin/busybox'].find((p) => existsSync(p));

function tlsMissing(): string | undefined {
  for (const f of ['registry.crt', 'registry.key', 'ca.crt']) {
    try {
      accessSync(join(TLS_DIR, f), constants.R_OK);
    } catch {
      return `${join(TLS_DIR, f)} is missing or unreadable (run scripts/setup-system as root)`;
    }
  }
  return undefined;
}
const skipTls = tlsMissing();
if (skipTls) console.warn(`registry-tls: skipped, ${skipTls}`);
const clientsMissing = [!existsSync(AWS) && AWS, !DOCKER && 'docker CLI', !BUSYBOX && 'busybox'].filter(Boolean);
const skipClients = clientsMissing.length > 0 ? `missing ${clientsMissing.join(', ')}` : undefined;
if (skipClients) console.warn(`registry-tls: docker flow skipped, ${skipClients}`);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a bash script (pipes included) and resolves with its exit code and output, never rejecting. */
function sh(script: string, env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile('bash', ['-c', script], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', ...env }, timeout: 180_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** Throws with the output when the script failed. */
async function shOk(script: string, env: Record<string, string>): Promise<string> {
  const r = await sh(script, env);
  if (r.code !== 0) throw new Error(`${script}\nexit ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** GET over TLS, verifying against the given CA; resolves with status and headers. */
function httpsStatus(url: string, ca: string): Promise<{ status: number; headers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = httpsGet(url, { ca, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on('error', reject);
  });
}

/** One registry request with a body, over plain HTTP or verified TLS; resolves with status and headers. */
function send(
  url: string,
  opts: { method: string; headers: Record<string, string>; body?: Buffer; ca?: string },
): Promise<{ status: number; headers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const request = url.startsWith('https:') ? httpsRequest : httpRequest;
    const req = request(url, { method: opts.method, headers: opts.headers, ca: opts.ca }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** A sandbox started through runSandbox, and the learner-side environment for the CLIs. */
interface Started {
  sandbox: SandboxHandle;
  dataDir: string;
  dockerHost: string | null;
  /** Environment of a learner's shell: the AWS CLI at the sandbox, docker at its podman socket, own docker config. */
  envFor(learnerId: string): Promise<Record<string, string>>;
  ecr(learnerId: string): ECRClient;
  dispose(): Promise<void>;
}

async function start(opts: { noTls?: boolean } = {}): Promise<Started> {
  const dataDir = await mkdtemp(join(tmpdir(), 'sbx-tls-'));
  const saved = process.env['LABRUNNER_SANDBOX_TLS_DIR'];
  // Without TLS: what a machine that never ran setup-system's TLS step gets.
  if (opts.noTls) process.env['LABRUNNER_SANDBOX_TLS_DIR'] = join(dataDir, 'no-tls-here');
  let sandbox: SandboxHandle;
  try {
    sandbox = await runSandbox({ port: 0, dataDir, warn: () => {} });
  } finally {
    if (opts.noTls) {
      if (saved === undefined) delete process.env['LABRUNNER_SANDBOX_TLS_DIR'];
      else process.env['LABRUNNER_SANDBOX_TLS_DIR'] = saved;
    }
  }
  const health = (await (await fetch(`${sandbox.endpoint}/_sandbox/health`)).json()) as { dockerHost: string | null };
  const clients: ECRClient[] = [];
  const homes: string[] = [];
  return {
    sandbox,
    dataDir,
    dockerHost: health.dockerHost,
    async envFor(learnerId) {
      const { accessKeyId, secretAccessKey } = sandbox.accounts.provision(learnerId);
      const dockerConfig = await mkdtemp(join(dataDir, `docker-${learnerId}-`));
      homes.push(dockerConfig);
      return {
        AWS_ACCESS_KEY_ID: accessKeyId,
        AWS_SECRET_ACCESS_KEY: secretAccessKey,
        AWS_DEFAULT_REGION: 'us-east-1',
        AWS_ENDPOINT_URL: sandbox.endpoint,
        DOCKER_HOST: health.dockerHost ?? '',
        DOCKER_CONFIG: dockerConfig,
        DOCKER_BUILDKIT: '0',
      };
    },
    ecr(learnerId) {
      const { accessKeyId, secretAccessKey } = sandbox.accounts.provision(learnerId);
      const c = new ECRClient({ endpoint: sandbox.endpoint, region: 'us-east-1', credentials: { accessKeyId, secretAccessKey }, maxAttempts: 1 });
      clients.push(c);
      return c;
    },
    async dispose() {
      clients.forEach((c) => c.destroy());
      await sandbox.dispose();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** `docker build` of FROM scratch + static busybox (no registry needed); returns the local tag. */
async function dockerBuild(env: Record<string, string>, cleanup: string[]): Promise<string> {
  const context = await mkdtemp(join(tmpdir(), 'tls-build-'));
  try {
    await copyFile(BUSYBOX!, join(context, 'busybox'));
    const nonce = randomBytes(6).toString('hex');
    // The label makes every build's manifest distinct, so tests never share digests.
    await writeFile(join(context, 'Dockerfile'), `FROM scratch\nCOPY busybox /bin/busybox\nLABEL nonce=${nonce}\nCMD ["/bin/busybox", "true"]\n`);
    const tag = `labrunner-tls-test:${nonce}`;
    cleanup.push(tag);
    await shOk(`docker build -q -t ${tag} ${context}`, env);
    return tag;
  } finally {
    await rm(context, { recursive: true, force: true });
  }
}

async function dockerRmi(env: Record<string, string>, tags: string[]): Promise<void> {
  if (tags.length) await sh(`docker rmi -f ${tags.join(' ')}`, env);
}

describe.skipIf(skipTls !== undefined)('sandbox registry over TLS (setup-system certificate)', () => {
  let s: Started;
  let acct: string;
  let host: string;
  const ca = skipTls ? '' : readFileSync(join(TLS_DIR, 'ca.crt'), 'utf8');
  beforeAll(async () => {
    s = await start();
    acct = s.sandbox.accounts.provision('alice').accountId;
    host = s.sandbox.registryHost({ accountId: acct, region: 'us-east-1' });
  });
  afterAll(async () => {
    await s?.dispose();
  });

  it('turns TLS on and, with *.localhost resolving to loopback, names the registry like ECR', () => {
    expect(s.sandbox.registryTls).toBe(true);
    expect(s.sandbox.registryHostNaming).toBe('ecr');
    expect(host).toBe(`${acct}.dkr.ecr.us-east-1.localhost:${s.sandbox.port}`);
  });

  it('still serves the SDK over plain HTTP on the same port, with https proxyEndpoints and repositoryUris on the ECR host', async () => {
    const ecr = s.ecr('alice');
    const { repository } = await ecr.send(new CreateRepositoryCommand({ repositoryName: 'plain' }));
    expect(repository!.repositoryUri).toBe(`${host}/plain`);
    const [data] = (await ecr.send(new GetAuthorizationTokenCommand({}))).authorizationData!;
    expect(data!.proxyEndpoint).toBe(`https://${host}`);
    // Keep-alive over the sniffed plain connection: several requests on one socket.
    for (let i = 0; i < 3; i++) expect((await fetch(`${s.sandbox.endpoint}/_sandbox/health`)).status).toBe(200);
  });

  it('GET https://<account>.dkr.ecr.us-east-1.localhost:<port>/v2/ verifies against the CA and answers 401 with the Basic challenge', async () => {
    const res = await httpsStatus(`https://${host}/v2/`, ca);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe(`Basic realm="https://${host}/",service="ecr.amazonaws.com"`);
    // The same port also speaks TLS for localhost and 127.0.0.1 (both in the certificate).
    expect((await httpsStatus(`https://127.0.0.1:${s.sandbox.port}/v2/`, ca)).status).toBe(401);
  });

  it('takes multi-megabyte blob uploads over both the sniffed plain-HTTP and TLS connections', async () => {
    await s.ecr('alice').send(new CreateRepositoryCommand({ repositoryName: 'blobs' }));
    const [data] = (await s.ecr('alice').send(new GetAuthorizationTokenCommand({}))).authorizationData!;
    const auth = { authorization: `Basic ${data!.authorizationToken}`, host };
    for (const base of [`http://127.0.0.1:${s.sandbox.port}`, `https://${host}`]) {
      const blob = randomBytes(6 * 1024 * 1024);
      const digest = `sha256:${createHash('sha256').update(blob).digest('hex')}`;
      const started = await send(`${base}/v2/blobs/blobs/uploads/`, { method: 'POST', headers: auth, ca });
      expect(started.status).toBe(202);
      const location = new URL(started.headers.location!, base);
      location.searchParams.set('digest', digest);
      const put = await send(`${base}${location.pathname}${location.search}`, {
        method: 'PUT',
        headers: { ...auth, 'content-type': 'application/octet-stream', 'content-length': String(blob.length) },
        body: blob,
        ca,
      });
      expect(put.status).toBe(201);
      expect(put.headers['docker-content-digest']).toBe(digest);
    }
  });

  it('closes a TLS handshake the client rejects without disturbing the server', async () => {
    // A client trusting only some other root (here: the leaf itself, which is no CA) aborts the handshake.
    const otherRoot = readFileSync(join(TLS_DIR, 'registry.crt'), 'utf8');
    const noCa = await new Promise<string>((resolve) => {
      const sock = tlsConnect({ host: '127.0.0.1', port: s.sandbox.port, servername: host.split(':')[0], ca: otherRoot }, () => {
        sock.destroy();
        resolve('connected');
      });
      sock.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    });
    expect(noCa).toMatch(/UNABLE_TO_VERIFY|SELF_SIGNED|UNABLE_TO_GET_ISSUER/);
    expect((await httpsStatus(`https://${host}/v2/`, ca)).status).toBe(401);
  });

  describe.skipIf(skipClients !== undefined)('docker CLI through the sandbox podman socket', () => {
    it('aws ecr get-login-password | docker login <ECR host> succeeds; build, tag and push land in DescribeImages; a wrong password is 401', { timeout: 240_000 }, async (ctx) => {
      if (!s.dockerHost) ctx.skip();
      const env = await s.envFor('alice');
      const ecr = s.ecr('alice');
      await ecr.send(new CreateRepositoryCommand({ repositoryName: 'web' }));
      const cleanup: string[] = [];
      try {
        const login = await shOk(`${AWS} ecr get-login-password --endpoint-url "$AWS_ENDPOINT_URL" | docker login --username AWS --password-stdin ${host}`, env);
        expect(login).toContain('Login Succeeded');

        const local = await dockerBuild(env, cleanup);
        const remote = `${host}/web:v1`;
        cleanup.push(remote);
        await shOk(`docker tag ${local} ${remote}`, env);
        const push = await shOk(`docker push ${remote}`, env);
        expect(push).toMatch(/v1: digest: sha256:[0-9a-f]{64}/);
        const [detail] = (await ecr.send(new DescribeImagesCommand({ repositoryName: 'web' }))).imageDetails!;
        expect(detail!.imageTags).toEqual(['v1']);
        expect(push).toContain(detail!.imageDigest!);

        const wrong = await sh(`echo not-the-password | docker login --username AWS --password-stdin ${host}`, env);
        expect(wrong.code).not.toBe(0);
        expect(wrong.stderr).toContain('401 Unauthorized');
      } finally {
        await dockerRmi(env, cleanup);
      }
    });
  });
});

describe.skipIf(skipClients !== undefined)('sandbox registry without TLS: localhost:<port>', () => {
  let s: Started;
  beforeAll(async () => {
    s = await start({ noTls: true });
  });
  afterAll(async () => {
    await s?.dispose();
  });

  it('names the registry localhost:<port> with http proxyEndpoints', async () => {
    expect(s.sandbox.registryTls).toBe(false);
    expect(s.sandbox.registryHostNaming).toBe('fallback');
    const [data] = (await s.ecr('alice').send(new GetAuthorizationTokenCommand({}))).authorizationData!;
    expect(data!.proxyEndpoint).toBe(`http://localhost:${s.sandbox.port}`);
  });

  it('docker login localhost:<port> works over plain HTTP and the credentials keep accounts apart', { timeout: 240_000 }, async (ctx) => {
    if (!s.dockerHost) ctx.skip();
    const host = `localhost:${s.sandbox.port}`;
    const cleanup: string[] = [];
    const learners = ['alice', 'bob'] as const;
    const envs = { alice: await s.envFor('alice'), bob: await s.envFor('bob') };
    try {
      for (const who of learners) {
        await s.ecr(who).send(new CreateRepositoryCommand({ repositoryName: 'web' }));
        const login = await shOk(`${AWS} ecr get-login-password --endpoint-url "$AWS_ENDPOINT_URL" | docker login --username AWS --password-stdin ${host}`, envs[who]);
        expect(login).toContain('Login Succeeded');
      }
      const local = await dockerBuild(envs.alice, cleanup);
      // Same name on the same host: only the stored credentials say whose registry it is.
      for (const who of learners) {
        const remote = `${host}/web:${who}`;
        cleanup.push(remote);
        await shOk(`docker tag ${local} ${remote} && docker push ${remote}`, envs[who]);
      }
      for (const who of learners) {
        const ids = (await s.ecr(who).send(new ListImagesCommand({ repositoryName: 'web' }))).imageIds!;
        expect(ids.map((i) => i.imageTag)).toEqual([who]);
      }
    } finally {
      await dockerRmi(envs.alice, cleanup);
    }
  });
});
