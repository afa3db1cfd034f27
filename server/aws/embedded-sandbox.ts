import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { IAwsTarget, LearnerAwsAccess } from './aws-target.ts';

export interface EmbeddedSandboxOptions {
  /** The `labrunner` executable (bin/labrunner.js). */
  bin: string;
  dataDir: string;
  port: number;
  region?: string;
  /** How often the sandbox applies lifecycle policies (seconds); its own default (60) when absent. */
  lifecycleIntervalSeconds?: number;
  log: (msg: string) => void;
}

interface Health {
  status: string;
  dockerHost?: string | null;
  registryHostNaming?: 'ecr' | 'fallback';
}

/**
 * The local ECR/ECS, run as its own process (`labrunner sandbox`) so that image pushes never compete with
 * terminals for the server's event loop. The server reaches it only as it reaches AWS: an endpoint and
 * per-learner credentials, which it asks the sandbox's admin API for. A sandbox already serving this data
 * dir on the port (started by hand, or left by a server that was killed) is adopted instead of started twice.
 */
export class EmbeddedSandbox implements IAwsTarget {
  readonly kind = 'sandbox' as const;
  private readonly _accounts = new Map<string, Promise<LearnerAwsAccess>>();

  private constructor(
    readonly endpoint: string,
    private readonly _adminToken: string,
    private readonly _health: Health,
    private readonly _child: ChildProcess | undefined,
    private readonly _region: string,
  ) {}

  static async start(opts: EmbeddedSandboxOptions): Promise<EmbeddedSandbox> {
    const region = opts.region ?? 'us-east-1';
    if (opts.port !== 0) {
      const adopted = await EmbeddedSandbox._adopt(`http://127.0.0.1:${opts.port}`, opts.dataDir, region);
      if (adopted) {
        opts.log(`using the sandbox already running at ${adopted.endpoint}`);
        return adopted;
      }
    }
    const args = [opts.bin, 'sandbox', '--port', String(opts.port), '--host', '127.0.0.1', '--data-dir', opts.dataDir];
    if (opts.lifecycleIntervalSeconds !== undefined) args.push('--lifecycle-interval', String(opts.lifecycleIntervalSeconds));
    const child = spawn(process.execPath, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, LABRUNNER_SANDBOX_EXIT_WITH_PARENT: '1' },
    });
    const endpoint = await waitForReady(child, opts.log);
    const token = (await readFile(path.join(opts.dataDir, 'admin-token'), 'utf8')).trim();
    const health = await getHealth(endpoint);
    if (!health) throw new Error(`the sandbox at ${endpoint} does not answer`);
    return new EmbeddedSandbox(endpoint, token, health, child, region);
  }

  private static async _adopt(endpoint: string, dataDir: string, region: string): Promise<EmbeddedSandbox | undefined> {
    const health = await getHealth(endpoint);
    if (!health) return undefined;
    const token = await readFile(path.join(dataDir, 'admin-token'), 'utf8').then((t) => t.trim(), () => undefined);
    if (!token) return undefined;
    const sandbox = new EmbeddedSandbox(endpoint, token, health, undefined, region);
    // Only our own sandbox accepts our admin token; anything else on the port is somebody else's.
    return (await sandbox._provision('default').then(() => true, () => false)) ? sandbox : undefined;
  }

  /** The learner's own sandbox account (provisioned on first use, the same one ever after). */
  access(learnerId: string): Promise<LearnerAwsAccess> {
    let access = this._accounts.get(learnerId);
    if (!access) {
      access = this._provision(learnerId);
      access.catch(() => this._accounts.delete(learnerId));
      this._accounts.set(learnerId, access);
    }
    return access;
  }

  async dispose(): Promise<void> {
    const child = this._child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }

  private async _provision(learnerId: string): Promise<LearnerAwsAccess> {
    const res = await fetch(`${this.endpoint}/_sandbox/accounts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this._adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ learnerId }),
      signal: AbortSignal.timeout(5000),
    });
    if (!res.ok) throw new Error(`the sandbox refused to provision an account (${res.status})`);
    const account = (await res.json()) as { accountId: string; accessKeyId: string; secretAccessKey: string };
    return {
      accountId: account.accountId,
      region: this._region,
      endpoint: this.endpoint,
      credentials: { accessKeyId: account.accessKeyId, secretAccessKey: account.secretAccessKey },
      dockerHost: this._health.dockerHost ?? undefined,
      registry: this._registryHost(account.accountId),
    };
  }

  /** Mirrors the sandbox's own naming (sandbox/core/registry-host.ts), reported by its health endpoint. */
  private _registryHost(accountId: string): string {
    const port = new URL(this.endpoint).port;
    return this._health.registryHostNaming === 'ecr' ? `${accountId}.dkr.ecr.${this._region}.localhost:${port}` : `localhost:${port}`;
  }
}

async function getHealth(endpoint: string): Promise<Health | undefined> {
  try {
    const res = await fetch(`${endpoint}/_sandbox/health`, { signal: AbortSignal.timeout(1500) });
    return res.ok ? ((await res.json()) as Health) : undefined;
  } catch {
    return undefined;
  }
}

function waitForReady(child: ChildProcess, log: (msg: string) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => fail(new Error('the sandbox did not start within 60 s')), 60_000);
    const fail = (err: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${err.message}\n${output.trim()}`));
    };
    const onData = (d: Buffer) => {
      const text = d.toString();
      output = (output + text).slice(-8000);
      for (const line of text.split('\n')) if (line.trim()) log(`sandbox: ${line.trim()}`);
      const m = /sandbox ready at (http:\/\/\S+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => fail(new Error(`the sandbox exited with code ${code}`)));
  });
}
