import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderSandboxEnv } from '../../cli/commands/sandbox.ts';
import { startEcrFixture, type EcrFixture } from './ecr-fixture.ts';

const run = promisify(execFile);
const AWS = '/usr/bin/aws';

describe('sandbox ECR with the real AWS CLI v2', () => {
  let f: EcrFixture;
  let home: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    f = await startEcrFixture();
    home = mkdtempSync(join(tmpdir(), 'sbx-cli-home-'));
    const creds = f.sandbox.accounts.provision('cli');
    // A clean environment: no ~/.aws of the machine, no pager, no other endpoint settings.
    env = {
      PATH: process.env.PATH,
      HOME: home,
      AWS_ACCESS_KEY_ID: creds.accessKeyId,
      AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_PAGER: '',
    };
  });
  afterAll(async () => {
    await f.dispose();
    rmSync(home, { recursive: true, force: true });
  });

  async function aws(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await run(AWS, [...args, '--endpoint-url', f.sandbox.endpoint], { env, timeout: 30_000 });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  }

  it('create-repository prints the repositoryUri', async () => {
    const acct = f.sandbox.accounts.provision('cli').accountId;
    const r = await aws(['ecr', 'create-repository', '--repository-name', 'myrepo', '--image-scanning-configuration', 'scanOnPush=true']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { repository: { repositoryUri: string; imageScanningConfiguration: { scanOnPush: boolean }; createdAt: unknown } };
    expect(out.repository.repositoryUri).toBe(`${acct}.dkr.ecr.us-east-1.localhost:${f.sandbox.port}/myrepo`);
    expect(out.repository.imageScanningConfiguration.scanOnPush).toBe(true);
    expect(typeof out.repository.createdAt).toBe('string'); // the CLI parsed our epoch-seconds timestamp
  });

  it("describe-repositories of a missing repository prints AWS's message and exits 254", async () => {
    const acct = f.sandbox.accounts.provision('cli').accountId;
    const r = await aws(['ecr', 'describe-repositories', '--repository-names', 'missing']);
    expect(r.code).toBe(254);
    expect(r.stderr.trim()).toBe(
      `An error occurred (RepositoryNotFoundException) when calling the DescribeRepositories operation: The repository with name 'missing' does not exist in the registry with id '${acct}'`,
    );
  });

  it('get-login-password returns a password the registry auth accepts', async () => {
    const r = await aws(['ecr', 'get-login-password']);
    expect(r.code).toBe(0);
    const password = r.stdout.trim();
    expect(password.length).toBeGreaterThan(20);
    expect(password).not.toContain(':');
    const header = `Basic ${Buffer.from(`AWS:${password}`).toString('base64')}`;
    expect(f.sandbox.registryAuth.verifyBasic(header)).toMatchObject({ ok: true, region: 'us-east-1' });
  });

  it('`labrunner sandbox env` output makes a plain shell use the sandbox through the aws wrapper', async () => {
    const exports = await renderSandboxEnv({ port: f.sandbox.port, dataDir: f.dataDir, learnerId: 'shell' });
    expect(exports).toMatch(/^export AWS_ACCESS_KEY_ID='AKIA[A-Z2-7]{16}'$/m);
    expect(exports).toContain(`export AWS_ENDPOINT_URL='${f.sandbox.endpoint}'`);
    expect(statSync(join(f.dataDir, 'bin', 'aws')).mode & 0o111).not.toBe(0);
    // Same account as the admin API provisioned for that learner (the env command asked the running sandbox).
    const acct = f.sandbox.accounts.provision('shell').accountId;
    const script = `${exports}\naws ecr create-repository --repository-name from-shell --query repository.repositoryUri --output text`;
    const { stdout } = await run('sh', ['-c', script], { env: { PATH: process.env.PATH, HOME: home, AWS_PAGER: '' }, timeout: 30_000 });
    expect(stdout.trim()).toBe(`${acct}.dkr.ecr.us-east-1.localhost:${f.sandbox.port}/from-shell`);
  });
});
