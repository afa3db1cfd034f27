/**
 * The checkers' integration fixture: the real sandbox (ECR API, registry on /v2, blob store, scanner with
 * the shipped advisory feed, composed as sandbox/main.ts does minus the container engine), learners
 * provisioned through its account service, their clients built by server/aws/clients.ts, and checks run
 * through the real CheckerRegistry. Images are pushed through the registry as docker pushes them.
 */
import { CreateRepositoryCommand, ECRClient, GetAuthorizationTokenCommand, type CreateRepositoryCommandInput } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pack } from 'tar-stream';
import { builtInCheckers, nodeDeadlines } from '../../checkers/index.ts';
import { makeAwsClients, type AwsClients } from '../../server/aws/clients.ts';
import type { LearnerAwsAccess } from '../../server/aws/index.ts';
import type { CheckResult } from '../../server/core/checks.ts';
import { CheckerRegistry } from '../../server/core/grading/checker-registry.ts';
import type { IImageScanner } from '../../sandbox/contracts.ts';
import { startSandbox, type SandboxHandle } from '../../sandbox/index.ts';
import { DEFAULT_ADVISORIES_DIR } from '../../sandbox/main.ts';
import { createRegistryHandler } from '../../sandbox/registry/index.ts';
import { createImageScanner, loadAdvisoryFeed } from '../../sandbox/scanner/index.ts';
import { createBlobStore } from '../../sandbox/storage/blob-store.ts';

export const HOME_REGION = 'us-east-1';

/** A learner with their own sandbox account. */
export interface Learner {
  readonly id: string;
  readonly access: LearnerAwsAccess;
  /** The same clients a check gets (also used by tests to set things up, as the learner's CLI would). */
  readonly aws: AwsClients;
  /** Runs a checker by id through the registry, as the grader does. */
  check(checkerId: string, params: unknown, options?: { timeoutMs?: number; workspace?: string }): Promise<CheckResult>;
  createRepository(name: string, input?: Partial<CreateRepositoryCommandInput>, region?: string): Promise<void>;
  /**
   * Pushes a fresh image through /v2. Its one layer is random bytes (not a tar: scans fail), a Debian 12
   * root with a dpkg database (`debian`: scans complete), or a tar with one static binary (`scratch`: the
   * OS is unsupported).
   */
  push(repository: string, tag: string | undefined, options?: { region?: string; layer?: 'random' | 'debian' | 'scratch' }): Promise<string>;
}

export interface CheckerFixture {
  readonly sandbox: SandboxHandle;
  /** With `holdScans`, lets the (real) scanner start the scans it was given; without, does nothing. */
  releaseScans(): void;
  readonly registry: CheckerRegistry<AwsClients>;
  learner(id: string): Learner;
  dispose(): Promise<void>;
}

const sha256 = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/**
 * Starts the fixture. `holdScans` makes the real scanner wait for {@link CheckerFixture.releaseScans}
 * before scanning, so a test can see a scan IN_PROGRESS.
 */
export async function startCheckerFixture(options: { holdScans?: boolean } = {}): Promise<CheckerFixture> {
  const dataDir = await mkdtemp(join(tmpdir(), 'checkers-sbx-'));
  const blobs = createBlobStore({ dataDir });
  const feed = await loadAdvisoryFeed(DEFAULT_ADVISORIES_DIR);
  const realScanner = createImageScanner({ blobs, feed });
  let releaseScans = () => {};
  const scansReleased = options.holdScans ? new Promise<void>((resolve) => (releaseScans = resolve)) : Promise.resolve();
  const scanner: IImageScanner = {
    async scan(...args) {
      await scansReleased;
      return realScanner.scan(...args);
    },
  };
  const sandbox = await startSandbox({
    port: 0,
    dataDir,
    registryHostNaming: 'ecr',
    blobs,
    scanner,
    createRegistryHandler: ({ imageService, registryAuth }) => createRegistryHandler({ auth: registryAuth, images: imageService, blobs }),
  });
  const registry = new CheckerRegistry<AwsClients>(nodeDeadlines);
  registry.registerAll(builtInCheckers);
  const learners: Learner[] = [];

  const learner = (id: string): Learner => {
    const account = sandbox.accounts.provision(id);
    const access: LearnerAwsAccess = {
      accountId: account.accountId,
      region: HOME_REGION,
      endpoint: sandbox.endpoint,
      credentials: { accessKeyId: account.accessKeyId, secretAccessKey: account.secretAccessKey },
    };
    const aws = makeAwsClients({ ECRClient, ECSClient }, access, { maxAttempts: 1 });
    const l: Learner = {
      id,
      access,
      aws,
      async check(checkerId, params, options = {}) {
        const checker = registry.get(checkerId);
        if (!checker) throw new Error(`no checker ${checkerId}`);
        return registry.runCheck(
          checker,
          params,
          { learnerId: id, variables: {}, aws, workspace: options.workspace ?? dataDir },
          { timeoutMs: options.timeoutMs ?? 20_000 },
        );
      },
      async createRepository(name, input = {}, region = HOME_REGION) {
        await aws.inRegion(region).ecr.send(new CreateRepositoryCommand({ repositoryName: name, ...input }));
      },
      async push(repository, tag, options = {}) {
        const ecr = aws.inRegion(options.region ?? HOME_REGION).ecr;
        const token = (await ecr.send(new GetAuthorizationTokenCommand({}))).authorizationData![0]!;
        const headers = { authorization: `Basic ${token.authorizationToken}`, host: new URL(token.proxyEndpoint!).host };
        const config = new TextEncoder().encode(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, nonce: randomBytes(8).toString('hex') }));
        const layer = options.layer === 'debian' ? await debianLayer() : options.layer === 'scratch' ? await scratchLayer() : new Uint8Array(randomBytes(512));
        for (const blob of [config, layer]) {
          const start = await fetch(`${sandbox.endpoint}/v2/${repository}/blobs/uploads/`, { method: 'POST', headers });
          if (start.status !== 202) throw new Error(`upload start: ${start.status} ${await start.text()}`);
          const location = new URL(start.headers.get('location')!, sandbox.endpoint);
          location.searchParams.set('digest', sha256(blob));
          const put = await fetch(`${sandbox.endpoint}${location.pathname}${location.search}`, {
            method: 'PUT',
            headers: { ...headers, 'content-type': 'application/octet-stream' },
            body: blob,
          });
          if (put.status !== 201) throw new Error(`upload: ${put.status} ${await put.text()}`);
        }
        const manifest = JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
          layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha256(layer), size: layer.length }],
        });
        const digest = sha256(new TextEncoder().encode(manifest));
        const put = await fetch(`${sandbox.endpoint}/v2/${repository}/manifests/${tag ?? digest}`, {
          method: 'PUT',
          headers: { ...headers, 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
          body: manifest,
        });
        if (put.status !== 201) throw new Error(`manifest: ${put.status} ${await put.text()}`);
        return digest;
      },
    };
    learners.push(l);
    return l;
  };

  return {
    sandbox,
    releaseScans: () => releaseScans(),
    registry,
    learner,
    async dispose() {
      releaseScans();
      learners.forEach((l) => l.aws.dispose());
      await sandbox.dispose();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A Debian 12 root with a dpkg database (one package the shipped feed knows as vulnerable). */
function debianLayer(): Promise<Uint8Array<ArrayBuffer>> {
  return tarOf({
    'etc/os-release': 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n',
    'var/lib/dpkg/status':
      'Package: libc6\nStatus: install ok installed\nArchitecture: amd64\nSource: glibc\nVersion: 2.36-9+deb12u1\nDescription: libc\n\n' +
      `Package: nonce-${randomBytes(4).toString('hex')}\nStatus: install ok installed\nArchitecture: all\nVersion: 1.0\nDescription: makes each layer unique\n`,
  });
}

/** What `FROM scratch` + one binary looks like to a scanner: no OS, no package database. */
function scratchLayer(): Promise<Uint8Array<ArrayBuffer>> {
  return tarOf({ 'bin/app': randomBytes(256) });
}

async function tarOf(files: Record<string, string | Buffer>): Promise<Uint8Array<ArrayBuffer>> {
  const p = pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of p as unknown as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(c));
  })();
  for (const [name, content] of Object.entries(files)) p.entry({ name }, content);
  p.finalize();
  await done;
  return new Uint8Array(Buffer.concat(chunks));
}
