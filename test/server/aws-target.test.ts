import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateRepositoryCommand } from '@aws-sdk/client-ecr';
import { EmbeddedSandbox, RealAwsTarget, type LearnerAwsAccess } from '../../server/aws/index.ts';
import { createAwsClients } from '../../server/aws/clients.ts';
import { BIN, PROJECT_ROOT } from '../../cli/paths.ts';
import { CliServer } from '../helpers/cli-server.ts';
import { EventsClient, valueOf } from '../helpers/events-client.ts';
import { TerminalClient } from '../helpers/terminal-client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const LABS = path.join(PROJECT_ROOT, 'test', 'fixtures', 'labs-aws');
const MISSING = 'This lab runs against real AWS: start labrunner serve with --aws-profile';

/**
 * Real AWS as a target, without real AWS: the "real" account is a sandbox account, reached through the same
 * credential-profile code (a temp AWS_SHARED_CREDENTIALS_FILE) and an endpoint override pointing at the sandbox.
 */
describe('real AWS as a target, chosen per lab', () => {
  let tmp: string;
  let sandbox: EmbeddedSandbox;
  let operator: LearnerAwsAccess;
  let realAws: RealAwsTarget;
  let server: TestServer;
  const open: Array<{ close(): unknown }> = [];

  beforeAll(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'labrunner-realaws-'));
    sandbox = await EmbeddedSandbox.start({ bin: BIN, dataDir: path.join(tmp, 'sandbox'), port: 0, log: () => undefined });
    operator = await sandbox.access('the-operator');
    const { accessKeyId, secretAccessKey } = operator.credentials;
    writeFileSync(
      path.join(tmp, 'credentials'),
      `[lab-aws]\naws_access_key_id = ${accessKeyId}\naws_secret_access_key = ${secretAccessKey}\n\n[wrong-secret]\naws_access_key_id = ${accessKeyId}\naws_secret_access_key = not-the-secret\n`,
    );
    writeFileSync(path.join(tmp, 'config'), '[profile lab-aws]\nregion = eu-west-1\n');
    // The SDK's own files, as a user's ~/.aws would be (this test file runs in its own worker process).
    process.env.AWS_SHARED_CREDENTIALS_FILE = path.join(tmp, 'credentials');
    process.env.AWS_CONFIG_FILE = path.join(tmp, 'config');
    delete process.env.AWS_REGION;
    delete process.env.AWS_PROFILE;
    realAws = await RealAwsTarget.fromProfile({ profile: 'lab-aws', region: 'us-east-1', endpoint: sandbox.endpoint });
    server = await startTestServer({ aws: [sandbox, realAws], labsDir: LABS });
  });
  afterAll(async () => {
    await Promise.all(open.map((c) => c.close()));
    await server?.dispose();
    await sandbox?.dispose();
    rmSync(tmp, { recursive: true, force: true });
  });

  async function terminal(learner: string, lab: string, srv: { url: string } = server): Promise<TerminalClient> {
    const t = await TerminalClient.connect(srv.url, { learner, lab, cols: 200 });
    open.push({ close: () => t.close() });
    return t;
  }
  async function learner(id: string, srv: { url: string } = server): Promise<EventsClient> {
    const c = await EventsClient.connect(srv.url, id);
    open.push(c);
    return c;
  }
  async function labPage(id: string, learnerId: string, srv: { url: string } = server): Promise<string> {
    const res = await fetch(`${srv.url}/api/labs/${id}?learner=${learnerId}`);
    expect(res.status).toBe(200);
    return res.text();
  }

  it("resolves the profile with the SDK and the account with STS GetCallerIdentity; every learner shares it", async () => {
    expect(realAws.kind).toBe('aws');
    expect(realAws.accountId).toBe(operator.accountId);
    expect(realAws.registry).toBe(`${operator.accountId}.dkr.ecr.us-east-1.amazonaws.com`);
    const ann = await realAws.access('ann');
    const bob = await realAws.access('bob');
    expect(ann).toEqual(bob);
    expect(ann).toMatchObject({ accountId: operator.accountId, region: 'us-east-1', endpoint: sandbox.endpoint, credentials: operator.credentials });
    // Without --aws-region: the profile's own region, as the SDK resolves it.
    const profileRegion = await RealAwsTarget.fromProfile({ profile: 'lab-aws', endpoint: sandbox.endpoint });
    expect(profileRegion.region).toBe('eu-west-1');
    expect(profileRegion.registry).toBe(`${operator.accountId}.dkr.ecr.eu-west-1.amazonaws.com`);
  });

  it('refuses a profile without credentials, or one STS rejects, saying why without the secret', async () => {
    await expect(RealAwsTarget.fromProfile({ profile: 'no-such-profile', endpoint: sandbox.endpoint })).rejects.toThrow(
      /the AWS profile 'no-such-profile' gives no credentials: .*no-such-profile/,
    );
    const err = await RealAwsTarget.fromProfile({ profile: 'wrong-secret', endpoint: sandbox.endpoint }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(/the AWS profile 'wrong-secret' was refused by STS GetCallerIdentity \(SignatureDoesNotMatch\)/);
    expect(err?.message).not.toContain('not-the-secret');
  });

  it("an `environment: aws` lab page shows the AWS target's account, region and registry; a sandbox lab the learner's own", async () => {
    const aws = await labPage('on-aws', 'ann');
    expect(aws).toContain(`Account ${operator.accountId} in us-east-1; registry ${operator.accountId}.dkr.ecr.us-east-1.amazonaws.com.`);
    const annSandbox = await sandbox.access('ann');
    expect(annSandbox.accountId).not.toBe(operator.accountId);
    const onSandbox = await labPage('on-sandbox', 'ann');
    expect(onSandbox).toContain(`Account ${annSandbox.accountId} in us-east-1; registry ${annSandbox.registry}.`);
    // Nothing secret reaches the browser.
    for (const page of [aws, onSandbox]) {
      expect(page).not.toContain(operator.credentials.secretAccessKey);
      expect(page).not.toContain(annSandbox.credentials.secretAccessKey);
    }
  });

  it("the aws lab's shell gets the AWS target's credentials and endpoint; the sandbox lab's shell the learner's sandbox account", async () => {
    const annSandbox = await sandbox.access('ann');
    const onAws = await terminal('ann', 'on-aws');
    await onAws.waitForMessage('attached');
    onAws.type('echo "acct=$AWS_ACCOUNT_ID"; aws sts get-caller-identity --query Account --output text; echo "do""ne"\r');
    await onAws.waitFor(/done\r\n/, 30_000);
    expect(onAws.text).toContain(`acct=${operator.accountId}`);
    expect(onAws.text).toMatch(new RegExp(`\\r\\n${operator.accountId}\\r\\n`));

    const onSandbox = await terminal('ann', 'on-sandbox');
    await onSandbox.waitForMessage('attached');
    onSandbox.type('aws sts get-caller-identity --query Arn --output text; echo "do""ne"\r');
    await onSandbox.waitFor(/done\r\n/, 30_000);
    expect(onSandbox.text).toContain(`arn:aws:iam::${annSandbox.accountId}:user/ann`);
  });

  it("checks of the aws lab run against the AWS target (shared by every learner), a sandbox lab's against the sandbox", async () => {
    const ann = await learner('ann');
    const t = await terminal('ann', 'on-aws');
    await t.waitForMessage('attached');
    const whoami = valueOf(await ann.check('on-aws', 'whoami'));
    expect(whoami.steps.whoami, JSON.stringify(whoami.steps.whoami)).toMatchObject({ status: 'passed' });
    expect(whoami.steps.whoami!.results[0]!.title).toBe(`The CLI answers with account ${operator.accountId}`);
    expect(valueOf(await ann.check('on-aws', 'repo')).steps.repo!.status).toBe('failed');

    // The operator creates the repository in "their" AWS account.
    const clients = await createAwsClients(await realAws.access('anyone'));
    await clients.ecr.send(new CreateRepositoryCommand({ repositoryName: 'shared-repo' }));
    clients.dispose();
    expect(valueOf(await ann.check('on-aws', 'repo')).steps.repo!.status).toBe('passed');
    const bob = await learner('bob');
    expect(valueOf(await bob.check('on-aws', 'repo')).steps.repo!.status).toBe('passed');

    // The sandbox lab: ann's own sandbox account, which has no such repository.
    const s = await terminal('ann', 'on-sandbox');
    await s.waitForMessage('attached');
    const sandboxRepo = valueOf(await ann.check('on-sandbox', 'repo'));
    expect(sandboxRepo.steps.repo!.status).toBe('failed');
    const sandboxWhoami = valueOf(await ann.check('on-sandbox', 'whoami'));
    expect(sandboxWhoami.steps.whoami!.status).toBe('passed');
    expect(sandboxWhoami.steps.whoami!.results[0]!.title).toBe(`The CLI answers with account ${(await sandbox.access('ann')).accountId}`);
  });

  it('a server without the aws target refuses the aws lab (terminal and checks) with the reason, and keeps the sandbox lab', async () => {
    const sandboxOnly = await startTestServer({ aws: sandbox, labsDir: LABS });
    try {
      const t = await terminal('cat', 'on-aws', sandboxOnly);
      const error = await t.waitForMessage('error');
      expect(error).toMatchObject({ type: 'error', code: 'AwsTargetMissing' });
      expect((error as { message: string }).message).toContain(MISSING);
      expect(t.messages.some((m) => m.type === 'attached')).toBe(false);

      const cat = await learner('cat', sandboxOnly);
      const refused = await cat.check('on-aws', 'whoami');
      expect(refused).toMatchObject({ ok: false, error: { code: 'AwsTargetMissing' } });
      expect(!refused.ok && refused.error.message).toContain(MISSING);
      // The page still opens (without the account, which only the missing target knows).
      expect(valueOf(await cat.open('on-aws')).steps.whoami!.status).toBe('not-started');
      expect(await labPage('on-aws', 'cat', sandboxOnly)).not.toContain(operator.accountId);

      // The sandbox lab is unaffected.
      const s = await terminal('cat', 'on-sandbox', sandboxOnly);
      await s.waitForMessage('attached');
      expect(valueOf(await cat.check('on-sandbox', 'whoami')).steps.whoami!.status).toBe('passed');
    } finally {
      await sandboxOnly.dispose();
    }
  });

  it('`labrunner serve --aws-profile … --aws-endpoint-url …` serves aws labs from that account; a bad profile stops it', async () => {
    const env = { AWS_SHARED_CREDENTIALS_FILE: path.join(tmp, 'credentials'), AWS_CONFIG_FILE: path.join(tmp, 'config') };
    const cli = await CliServer.start(['--labs-dir', LABS, '--aws-profile', 'lab-aws', '--aws-region', 'us-east-1', '--aws-endpoint-url', sandbox.endpoint], { env });
    try {
      expect(await labPage('on-aws', 'dan', cli)).toContain(`Account ${operator.accountId} in us-east-1`);
    } finally {
      await cli.stop();
    }
    const refused = await CliServer.start(['--labs-dir', LABS, '--aws-profile', 'wrong-secret', '--aws-endpoint-url', sandbox.endpoint], { env }).then(
      async (s) => {
        await s.stop();
        return '';
      },
      (e: Error) => e.message,
    );
    expect(refused).toMatch(/server exited with 2:[\s\S]*the AWS profile 'wrong-secret' was refused by STS GetCallerIdentity/);
    expect(refused).not.toContain('not-the-secret');
  });
});
