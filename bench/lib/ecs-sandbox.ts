/**
 * The sandbox as the ECS and checks benchmarks use it: `labrunner sandbox --port <free> --data-dir <tmp>` as its
 * own process, exactly as `labrunner serve` starts it (setup-system's registry TLS when readable, so the registry
 * host is ECR-shaped as learners see it), one provisioned learner account, and a cleanup that removes every
 * container and image the run left in the shared podman storage (matched by this sandbox's port, never by name).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../cli/paths.ts';
import type { LearnerAwsAccess } from '../../server/aws/aws-target.ts';
import { freePort } from './registry-servers.ts';

const run = promisify(execFile);
export const PODMAN = '/usr/bin/podman';
export const SKOPEO = '/usr/bin/skopeo';

/** Runs a tool; rejects with its stderr. */
export async function tool(bin: string, args: string[], timeoutMs = 300_000): Promise<string> {
  const { stdout } = await run(bin, args, { timeout: timeoutMs, maxBuffer: 16 << 20 });
  return stdout;
}

export interface BenchSandbox {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly port: number;
  readonly endpoint: string;
  readonly dataDir: string;
  readonly tls: boolean;
  /** `unix://…` of the podman service the sandbox started (its tasks' engine, and learners' DOCKER_HOST). */
  readonly dockerHost: string;
  readonly registryHostNaming: 'ecr' | 'fallback';
  /** The learner's account, as EmbeddedSandbox.access() builds it for `labrunner serve`. */
  access(learnerId: string): Promise<LearnerAwsAccess>;
  /** SIGTERM (the sandbox stops its tasks' containers and its podman service), then removes what is left. */
  stop(): Promise<void>;
}

const REGION = 'us-east-1';

/** Starts a sandbox process; `tls: false` forces plain HTTP and `localhost:<port>` registry naming. */
export async function startBenchSandbox(opts: { tls?: boolean } = {}): Promise<BenchSandbox> {
  const root = await mkdtemp(join(tmpdir(), 'bench-ecs-sandbox-'));
  const dataDir = join(root, 'data');
  const env = { ...process.env };
  if (opts.tls === false) {
    const noTls = join(root, 'no-tls');
    await mkdir(noTls);
    env.LABRUNNER_SANDBOX_TLS_DIR = noTls;
  }
  // The sandbox must start its own podman service, not adopt somebody else's engine from our environment.
  delete env.DOCKER_HOST;
  const port = await freePort();
  const child = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'labrunner.js'), 'sandbox', '--port', String(port), '--data-dir', dataDir], {
    cwd: PROJECT_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const onData = (d: Buffer) => (output = (output + d.toString()).slice(-8000));
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    }
    await removeLeftovers(port);
    await rm(root, { recursive: true, force: true });
  };
  try {
    const endpoint = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`labrunner sandbox did not start:\n${output}`)), 60_000);
      const poll = setInterval(() => {
        const m = /sandbox ready at (http:\/\/\S+)/.exec(output);
        if (m) {
          clearInterval(poll);
          clearTimeout(timer);
          resolve(m[1]!);
        }
      }, 20);
      child.once('exit', (code) => {
        clearInterval(poll);
        clearTimeout(timer);
        reject(new Error(`labrunner sandbox exited with ${code}:\n${output}`));
      });
    });
    const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
    const health = (await (await fetch(`${endpoint}/_sandbox/health`)).json()) as { dockerHost?: string | null; registryHostNaming: 'ecr' | 'fallback'; registryTls: boolean };
    if (!health.dockerHost) throw new Error(`the sandbox found no container engine:\n${output}`);
    const accounts = new Map<string, Promise<LearnerAwsAccess>>();
    const provision = async (learnerId: string): Promise<LearnerAwsAccess> => {
      const res = await fetch(`${endpoint}/_sandbox/accounts`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ learnerId }),
      });
      if (!res.ok) throw new Error(`provisioning ${learnerId} failed: ${res.status} ${await res.text()}`);
      const a = (await res.json()) as { accountId: string; accessKeyId: string; secretAccessKey: string };
      return {
        accountId: a.accountId,
        region: REGION,
        endpoint,
        credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey },
        dockerHost: health.dockerHost!,
        registry: health.registryHostNaming === 'ecr' ? `${a.accountId}.dkr.ecr.${REGION}.localhost:${port}` : `localhost:${port}`,
      };
    };
    return {
      child,
      pid: child.pid!,
      port,
      endpoint,
      dataDir,
      tls: health.registryTls,
      dockerHost: health.dockerHost,
      registryHostNaming: health.registryHostNaming,
      access(learnerId) {
        let a = accounts.get(learnerId);
        if (!a) accounts.set(learnerId, (a = provision(learnerId)));
        return a;
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * Containers and images in the shared podman storage that name this sandbox's registry port (tasks, pulls,
 * a learner's `docker tag`): removed. Other engineers' sandboxes use other ports.
 */
export async function removeLeftovers(port: number): Promise<{ containers: string[]; images: string[] }> {
  const mine = (ref: string) => new RegExp(`^[^/]*:${port}/`).test(ref);
  const ps = await tool(PODMAN, ['ps', '-a', '--format', '{{.ID}} {{.Image}}']).catch(() => '');
  const containers = ps.split('\n').filter(Boolean).map((l) => l.split(' ')).filter(([, image]) => image && mine(image)).map(([id]) => id!);
  if (containers.length > 0) await tool(PODMAN, ['rm', '--force', '--ignore', ...containers]).catch(() => undefined);
  const images = (await tool(PODMAN, ['images', '--format', '{{.Repository}}:{{.Tag}}']).catch(() => '')).split('\n').filter((i) => i && mine(i));
  if (images.length > 0) await tool(PODMAN, ['rmi', '--ignore', ...images]).catch(() => undefined);
  return { containers, images };
}
