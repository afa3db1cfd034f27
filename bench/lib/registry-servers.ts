/**
 * The two registries the registry benchmark compares, each as its own process on a free loopback port with a
 * fresh temp data directory: the sandbox (`labrunner sandbox`, plain HTTP) and Debian's CNCF distribution
 * registry 2.8.2 (`/usr/bin/docker-registry serve`, filesystem storage, no auth). Plus skopeo and /proc readings.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { npmStart } from './server-process.ts';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../cli/paths.ts';

export const SKOPEO = '/usr/bin/skopeo';
export const DISTRIBUTION = '/usr/bin/docker-registry';

/** A port nobody listens on right now (the kernel picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** A registry server process and what the benchmark reads from it. */
export interface RegistryProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  /** `127.0.0.1:<port>`, what skopeo addresses. */
  readonly host: string;
  readonly dataDir: string;
  /** `AWS:<password>` for skopeo, when the registry wants credentials. */
  creds?: string;
  memory(): { rss: number; peakRss: number };
  resetPeak(): void;
  stop(): Promise<void>;
}

function procMemory(pid: number): { rss: number; peakRss: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), peakRss: kb('VmHWM') };
}

function wrap(name: string, child: ChildProcess, host: string, dataDir: string): RegistryProcess {
  const pid = child.pid!;
  return {
    name,
    child,
    pid,
    host,
    dataDir,
    memory: () => procMemory(pid),
    resetPeak() {
      // Writing 5 to clear_refs resets VmHWM (Linux ≥ 4.0).
      writeFileSync(`/proc/${pid}/clear_refs`, '5');
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Waits until `output()` matches `ready`, or fails with what the process printed. */
function waitFor(child: ChildProcess, ready: RegExp, what: string, timeoutMs = 60_000): Promise<RegExpExecArray> {
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start:\n${output}`)), timeoutMs);
    const onData = (d: Buffer) => {
      output += d.toString();
      const m = ready.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${what} exited with ${code}:\n${output}`)));
  });
}

/**
 * `labrunner sandbox --port <free> --data-dir <tmp>` over plain HTTP (an empty LABRUNNER_SANDBOX_TLS_DIR keeps
 * setup-system's certificate out, so both registries are compared without TLS), with one learner account.
 */
export async function startSandboxProcess(opts: { nodeArgs?: string[] } = {}): Promise<RegistryProcess & { endpoint: string; account: { accessKeyId: string; secretAccessKey: string } }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'bench-registry-sandbox-'));
  const noTls = join(dataDir, 'no-tls');
  await mkdir(noTls);
  const port = await freePort();
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), join(PROJECT_ROOT, 'bin', 'labrunner.js'), 'sandbox', '--port', String(port), '--data-dir', join(dataDir, 'data')], {
    cwd: PROJECT_ROOT,
    // The environment `npm start` gives the server, which its sandbox child inherits (MALLOC_ARENA_MAX).
    env: { ...process.env, ...npmStart().env, LABRUNNER_SANDBOX_TLS_DIR: noTls },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const proc = wrap('sandbox', child, `127.0.0.1:${port}`, dataDir);
  try {
    const m = await waitFor(child, /sandbox ready at (http:\/\/\S+)/, 'labrunner sandbox');
    child.stdout!.resume();
    child.stderr!.resume();
    const endpoint = m[1]!;
    const token = readFileSync(join(dataDir, 'data', 'admin-token'), 'utf8').trim();
    const res = await fetch(`${endpoint}/_sandbox/accounts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ learnerId: 'bench' }),
    });
    if (!res.ok) throw new Error(`provisioning a learner failed: ${res.status} ${await res.text()}`);
    const account = (await res.json()) as { accessKeyId: string; secretAccessKey: string };
    return Object.assign(proc, { endpoint, account });
  } catch (err) {
    await proc.stop();
    throw err;
  }
}

/** The distribution registry with filesystem storage in a temp dir, logging only errors, no auth. */
export async function startDistribution(): Promise<RegistryProcess> {
  const dataDir = await mkdtemp(join(tmpdir(), 'bench-registry-distribution-'));
  const port = await freePort();
  const config = join(dataDir, 'config.yml');
  await writeFile(
    config,
    [
      'version: 0.1',
      'log:',
      '  level: error',
      '  accesslog:',
      '    disabled: true',
      'storage:',
      '  cache:',
      '    blobdescriptor: inmemory',
      '  filesystem:',
      `    rootdirectory: ${join(dataDir, 'storage')}`,
      'http:',
      `  addr: 127.0.0.1:${port}`,
      '  secret: labrunner-bench',
      'health:',
      '  storagedriver:',
      '    enabled: false',
      '',
    ].join('\n'),
  );
  const child = spawn(DISTRIBUTION, ['serve', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.resume();
  child.stderr!.resume();
  const proc = wrap('distribution', child, `127.0.0.1:${port}`, dataDir);
  try {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const ok = await fetch(`http://127.0.0.1:${port}/v2/`).then((r) => r.status === 200, () => false);
      if (ok) break;
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`docker-registry did not start (exit ${child.exitCode})`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return proc;
  } catch (err) {
    await proc.stop();
    throw err;
  }
}

/** Runs skopeo; rejects with its stderr on failure. */
export function skopeo(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(SKOPEO, args, { timeout: 600_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`skopeo ${args.join(' ')}: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}
