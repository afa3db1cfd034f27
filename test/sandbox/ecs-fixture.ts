/**
 * Shared fixture of the sandbox ECS integration tests: the full sandbox (registry, engine) on port 0 with a
 * temp data dir, ECS/ECR clients per learner, the "Hello From ECS" busybox image pushed into a learner's
 * repository, and a teardown that proves no container of the sandbox is left behind.
 */
import { CreateRepositoryCommand, ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { DescribeTasksCommand, ECSClient, type Task } from '@aws-sdk/client-ecs';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runSandbox, type RunSandboxOptions } from '../../sandbox/main.ts';
import type { SandboxHandle } from '../../sandbox/index.ts';

const run = promisify(execFile);
export const PODMAN = '/usr/bin/podman';
const SKOPEO = '/usr/bin/skopeo';
const BUSYBOX = ['/bin/busybox', '/usr/bin/busybox'].find((p) => existsSync(p));

/** Why engine-dependent ECS tests cannot run here, or undefined. */
export function engineMissing(): string | undefined {
  const missing = [PODMAN, SKOPEO].filter((p) => !existsSync(p));
  if (!BUSYBOX) missing.push('busybox (busybox-static)');
  if (missing.length > 0 && !existsSync('/var/run/docker.sock')) return `no container engine/tools: missing ${missing.join(', ')} (scripts/setup-system installs them)`;
  return missing.length > 0 ? `missing ${missing.join(', ')}` : undefined;
}

/** Runs a tool; rejects with its stderr. */
export async function tool(bin: string, args: string[]): Promise<string> {
  const { stdout } = await run(bin, args, { timeout: 120_000, maxBuffer: 16 << 20 });
  return stdout;
}

/** A started full sandbox. */
export interface EcsFixture {
  sandbox: SandboxHandle;
  dataDir: string;
  ecs(learnerId?: string, region?: string): ECSClient;
  ecr(learnerId?: string, region?: string): ECRClient;
  /** Pushes the Hello image as `<registry host>/<repo>:<tag>` for a learner (repository created); returns the image URI. */
  pushHello(learnerId: string, repo: string, tag: string): Promise<string>;
  /** Stops the sandbox and starts it again on the same data dir and port. */
  restart(): Promise<void>;
  /** Containers of this sandbox still known to the engine (by its instance label). */
  containers(): Promise<string[]>;
  dispose(): Promise<void>;
}

/** The "Hello From ECS" image: FROM scratch + busybox httpd serving /www on port 80 (and a fresh label). */
export async function buildHelloImage(): Promise<{ name: string; dispose(): Promise<void> }> {
  const nonce = randomBytes(6).toString('hex');
  const name = `localhost/labrunner-ecs-hello:${nonce}`;
  const ctx = await mkdtemp(join(tmpdir(), 'ecs-hello-'));
  try {
    await copyFile(BUSYBOX!, join(ctx, 'busybox'));
    await mkdir(join(ctx, 'www'));
    await writeFile(join(ctx, 'www', 'index.html'), 'Hello From ECS\n');
    await writeFile(
      join(ctx, 'Containerfile'),
      [
        'FROM scratch',
        'COPY busybox /bin/busybox',
        'COPY www /www',
        `LABEL org.labrunner.test.nonce=${nonce}`,
        'ENTRYPOINT ["/bin/busybox"]',
        'CMD ["httpd", "-f", "-v", "-p", "80", "-h", "/www"]',
        '',
      ].join('\n'),
    );
    await tool(PODMAN, ['build', '--quiet', '--pull=never', '--format', 'docker', '-t', name, '-f', join(ctx, 'Containerfile'), ctx]);
  } finally {
    await rm(ctx, { recursive: true, force: true });
  }
  return { name, dispose: async () => void (await tool(PODMAN, ['rmi', '--force', '--ignore', name]).catch(() => undefined)) };
}

/** Starts the full sandbox (with the engine) for a test file. */
export async function startEcsFixture(options: Partial<RunSandboxOptions> = {}): Promise<EcsFixture> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sbx-ecs-'));
  const start = (port = 0) => runSandbox({ port, dataDir, registryHostNaming: 'ecr', ecsIntervalMs: 250, warn: () => undefined, ...options });
  const clients: { destroy(): void }[] = [];
  let hello: Awaited<ReturnType<typeof buildHelloImage>> | undefined;
  const hosts = new Set<string>();
  const fixture: EcsFixture = {
    sandbox: await start(),
    dataDir,
    ecs(learnerId = 'alice', region = 'us-east-1') {
      const { accessKeyId, secretAccessKey } = fixture.sandbox.accounts.provision(learnerId);
      const c = new ECSClient({ endpoint: fixture.sandbox.endpoint, region, credentials: { accessKeyId, secretAccessKey }, maxAttempts: 1 });
      clients.push(c);
      return c;
    },
    ecr(learnerId = 'alice', region = 'us-east-1') {
      const { accessKeyId, secretAccessKey } = fixture.sandbox.accounts.provision(learnerId);
      const c = new ECRClient({ endpoint: fixture.sandbox.endpoint, region, credentials: { accessKeyId, secretAccessKey }, maxAttempts: 1 });
      clients.push(c);
      return c;
    },
    async pushHello(learnerId, repo, tag) {
      hello ??= await buildHelloImage();
      const account = fixture.sandbox.accounts.provision(learnerId);
      const scope = { accountId: account.accountId, region: 'us-east-1' };
      await fixture.ecr(learnerId).send(new CreateRepositoryCommand({ repositoryName: repo })).catch((e: { name?: string }) => {
        if (e.name !== 'RepositoryAlreadyExistsException') throw e;
      });
      const host = fixture.sandbox.registryHost(scope);
      hosts.add(host);
      // The learner's flow: a password from GetAuthorizationToken (base64 of `AWS:<password>`).
      const token = await fixture.ecr(learnerId).send(new GetAuthorizationTokenCommand({}));
      const password = Buffer.from(token.authorizationData![0]!.authorizationToken!, 'base64').toString().slice('AWS:'.length);
      const uri = `${host}/${repo}:${tag}`;
      await tool(SKOPEO, ['copy', '--quiet', `containers-storage:${hello.name}`, `docker://${uri}`, '--dest-creds', `AWS:${password}`, '--dest-tls-verify=false']);
      return uri;
    },
    async restart() {
      const { port } = fixture.sandbox;
      await fixture.sandbox.dispose();
      fixture.sandbox = await start(port);
    },
    async containers() {
      const id = fixture.sandbox.ecs?.instanceId;
      if (!id) return [];
      const out = await tool(PODMAN, ['ps', '-a', '-q', '--filter', `label=labrunner.sandbox.instance=${id}`]);
      return out.split('\n').filter(Boolean);
    },
    async dispose() {
      clients.forEach((c) => c.destroy());
      const instance = fixture.sandbox.ecs?.instanceId;
      await fixture.sandbox.dispose();
      await hello?.dispose();
      // Images the sandbox pulled for tasks (named after this sandbox's registry host/port).
      const images = (await tool(PODMAN, ['images', '--format', '{{.Repository}}:{{.Tag}}']).catch(() => '')).split('\n');
      const port = `:${fixture.sandbox.port}/`;
      const pulled = images.filter((i) => i.includes(port) && [...hosts].some((h) => i.startsWith(h) || i.startsWith(`localhost${port}`)));
      if (pulled.length > 0) await tool(PODMAN, ['rmi', '--force', '--ignore', ...pulled]).catch(() => undefined);
      rmSync(dataDir, { recursive: true, force: true });
      if (instance) {
        const left = await tool(PODMAN, ['ps', '-a', '-q', '--filter', `label=labrunner.sandbox.instance=${instance}`]);
        if (left.trim()) throw new Error(`containers left behind by the sandbox: ${left.trim().split('\n').join(', ')}`);
      }
    },
  };
  if (!fixture.sandbox.ecs) {
    await fixture.sandbox.dispose();
    rmSync(dataDir, { recursive: true, force: true });
    throw new Error('the sandbox found no container engine (ensureDockerApiSocket returned none)');
  }
  return fixture;
}

/** Polls DescribeTasks until `until(task)` holds (or the time is up); returns the last task seen. */
export async function waitForTask(ecs: ECSClient, cluster: string, taskArn: string, until: (t: Task) => boolean, timeoutMs = 60_000): Promise<Task> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const out = await ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }));
    const t = out.tasks?.[0];
    if (t && until(t)) return t;
    if (Date.now() > deadline) throw new Error(`task ${taskArn} did not reach the expected state; last: ${JSON.stringify(t ?? out.failures)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The error a promise rejects with (fails if it resolves). */
export async function errorOf(p: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await p;
  } catch (err) {
    return err as { name: string; message: string };
  }
  throw new Error('expected the call to fail');
}
