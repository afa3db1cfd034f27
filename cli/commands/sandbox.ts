import type { Command } from 'commander';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { writeAwsWrapper } from '../../server/aws/shell-env.ts';
import { AccountService, DEFAULT_LEARNER_ID, type ProvisionedAccount } from '../../sandbox/accounts/index.ts';

interface SandboxCommandOptions {
  port: string;
  host: string;
  dataDir: string;
  lifecycleInterval: string;
}

/**
 * `labrunner sandbox`: runs the local ECR (+ registry) in the foreground until SIGINT/SIGTERM.
 * `labrunner sandbox env`: prints `export` lines that point a shell's AWS CLI/SDKs at it.
 */
export function registerSandboxCommand(program: Command): void {
  const sandbox = program
    .command('sandbox')
    .description('run the local AWS sandbox (ECR API + registry) in the foreground')
    .option('--port <number>', 'port to listen on', '4580')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--data-dir <path>', 'where the sandbox keeps its state', './data')
    .option('--lifecycle-interval <seconds>', 'apply lifecycle policies this often (AWS: within 24 hours); 0 = only on request', '60')
    .action(async (opts: SandboxCommandOptions) => {
      // Loaded here, not at the top: every command, `serve` among them, would otherwise carry SQLite, dockerode
      // and the registry in memory (docs/benchmarks.md).
      const { runSandbox } = await import('../../sandbox/main.ts');
      const lifecycleSeconds = Number(opts.lifecycleInterval);
      if (!(lifecycleSeconds >= 0)) throw new Error(`--lifecycle-interval must be a number of seconds, not '${opts.lifecycleInterval}'`);
      const handle = await runSandbox({
        port: Number(opts.port),
        host: opts.host,
        dataDir: path.resolve(opts.dataDir),
        lifecycleIntervalMs: lifecycleSeconds * 1000,
      });
      console.log(`sandbox ready at ${handle.endpoint}`);
      console.log(`registry: ${handle.registryHost({ accountId: '<account>', region: '<region>' })} (naming: ${handle.registryHostNaming})`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
        // Started by `labrunner serve`: its stdin pipe closes when the server dies, even by SIGKILL,
        // so the sandbox (and the containers it owns) never outlives it as an orphan.
        if (process.env.LABRUNNER_SANDBOX_EXIT_WITH_PARENT === '1') {
          process.stdin.on('end', resolve);
          process.stdin.on('close', resolve);
          process.stdin.resume();
        }
      });
      await handle.dispose();
    });

  sandbox
    .command('env')
    .description('print export lines for a shell: credentials, region, endpoint and an aws wrapper on PATH')
    .option('--port <number>', 'the sandbox port', '4580')
    .option('--data-dir <path>', 'the sandbox data directory', './data')
    .option('--learner <id>', 'whose account', DEFAULT_LEARNER_ID)
    .action(async (opts: { port: string; dataDir: string; learner: string }, cmd: Command) => {
      // Without positional options on the root program, `sandbox env --port N` may hand --port to the
      // parent `sandbox` command: take whichever of the two the user actually typed.
      const typed = (name: 'port' | 'dataDir'): string =>
        cmd.parent?.getOptionValueSource(name) === 'cli' ? String(cmd.parent.opts()[name]) : opts[name];
      process.stdout.write(
        await renderSandboxEnv({ port: Number(typed('port')), dataDir: path.resolve(typed('dataDir')), learnerId: opts.learner }),
      );
    });

  sandbox
    .command('logs <task>')
    .description('print the last lines of an ECS task\'s containers (task id or ARN): the sandbox has no CloudWatch')
    .option('--port <number>', 'the sandbox port', '4580')
    .option('--data-dir <path>', 'the sandbox data directory', './data')
    .option('--tail <lines>', 'lines per container', '100')
    .action(async (task: string, opts: { port: string; dataDir: string; tail: string }, cmd: Command) => {
      const typed = (name: 'port' | 'dataDir'): string =>
        cmd.parent?.getOptionValueSource(name) === 'cli' ? String(cmd.parent.opts()[name]) : opts[name];
      const result = await fetchTaskLogs({ port: Number(typed('port')), dataDir: path.resolve(typed('dataDir')), task, tail: Number(opts.tail) });
      if (result.ok) process.stdout.write(result.text);
      else {
        process.stderr.write(`${result.error}\n`);
        process.exitCode = 1;
      }
    });
}

/**
 * Reads a task's logs from the running sandbox's admin API (`GET /_sandbox/tasks/<task>/logs`), with the
 * admin token of its data dir.
 */
export async function fetchTaskLogs(opts: { port: number; dataDir: string; task: string; tail?: number }): Promise<{ ok: true; text: string } | { ok: false; error: string }> {
  const tokenPath = path.join(opts.dataDir, 'admin-token');
  if (!existsSync(tokenPath)) return { ok: false, error: `no sandbox data in ${opts.dataDir} (no admin-token): pass --data-dir` };
  const token = readFileSync(tokenPath, 'utf8').trim();
  const url = `http://127.0.0.1:${opts.port}/_sandbox/tasks/${encodeURIComponent(opts.task)}/logs?tail=${opts.tail ?? 100}`;
  let res: Response;
  try {
    res = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(15_000) });
  } catch {
    return { ok: false, error: `no sandbox answers on port ${opts.port}: start it with \`labrunner sandbox\`` };
  }
  const text = await res.text();
  if (res.ok) return { ok: true, text };
  let message = text;
  try {
    message = (JSON.parse(text) as { error?: string }).error ?? text;
  } catch {
    // not JSON: print as it came
  }
  return { ok: false, error: `sandbox: ${message}` };
}

/**
 * Provisions (or finds) the learner's account and returns the `export` lines, writing the `aws` wrapper
 * into `<dataDir>/bin`. Asks the running sandbox's admin API; when none answers on the port, provisions
 * straight in the data dir's store (SQLite WAL makes that safe even if a sandbox starts meanwhile).
 */
export async function renderSandboxEnv(opts: { port: number; dataDir: string; learnerId: string; region?: string }): Promise<string> {
  const endpoint = `http://127.0.0.1:${opts.port}`;
  const account = (await provisionViaAdminApi(endpoint, opts.dataDir, opts.learnerId)) ?? (await provisionInStore(opts.dataDir, opts.learnerId));
  const binDir = await writeAwsWrapper(path.join(opts.dataDir, 'bin'));
  const region = opts.region ?? 'us-east-1';
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const dockerHost = await dockerHostOf(endpoint);
  return [
    `export AWS_ACCESS_KEY_ID=${q(account.accessKeyId)}`,
    `export AWS_SECRET_ACCESS_KEY=${q(account.secretAccessKey)}`,
    `export AWS_DEFAULT_REGION=${q(region)}`,
    `export AWS_REGION=${q(region)}`,
    `export AWS_ENDPOINT_URL=${q(endpoint)}`,
    `export PATH=${q(binDir)}:"$PATH"`,
    // The engine the sandbox runs ECS tasks on (podman's Docker API here): `docker` builds and pushes
    // there too. BuildKit is off because podman's compatible API has no buildx.
    ...(dockerHost ? [`export DOCKER_HOST=${q(dockerHost)}`, 'export DOCKER_BUILDKIT=0'] : []),
    '',
  ].join('\n');
}

/** The running sandbox's Docker Engine API (from its health endpoint), if any. */
async function dockerHostOf(endpoint: string): Promise<string | undefined> {
  try {
    const res = await fetch(`${endpoint}/_sandbox/health`, { signal: AbortSignal.timeout(2000) });
    const body = (await res.json()) as { dockerHost?: unknown };
    return typeof body.dockerHost === 'string' && body.dockerHost ? body.dockerHost : undefined;
  } catch {
    return undefined; // no sandbox running: the shell gets no DOCKER_HOST
  }
}

async function provisionViaAdminApi(endpoint: string, dataDir: string, learnerId: string): Promise<ProvisionedAccount | undefined> {
  const tokenPath = path.join(dataDir, 'admin-token');
  if (!existsSync(tokenPath)) return undefined;
  const token = readFileSync(tokenPath, 'utf8').trim();
  try {
    const res = await fetch(`${endpoint}/_sandbox/accounts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ learnerId }),
      signal: AbortSignal.timeout(2000),
    });
    if (res.status === 401) return undefined; // another sandbox (other data dir) on this port: use our store
    if (!res.ok) throw new Error(`sandbox admin API answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as ProvisionedAccount;
  } catch (err) {
    if (err instanceof Error && err.message.startsWith('sandbox admin API')) throw err;
    return undefined; // nothing listening
  }
}

async function provisionInStore(dataDir: string, learnerId: string): Promise<ProvisionedAccount> {
  mkdirSync(dataDir, { recursive: true });
  const { MetadataStore } = await import('../../sandbox/storage/metadata-store.ts');
  const store = MetadataStore.open(dataDir);
  try {
    return new AccountService(store, Date.now).provision(learnerId);
  } finally {
    store.dispose();
  }
}
