import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedSandbox, RealAwsTarget, type LearnerAwsAccess } from '../../server/aws/index.ts';
import type { LabProgressView, LabView, SessionInfo } from '../../server/core/protocol.ts';
import { BIN, PROJECT_ROOT } from '../../cli/paths.ts';
import { TerminalClient } from '../helpers/terminal-client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { ClassClient, createClassroom, http, join, valueOf } from './helpers.ts';

const LABS = path.join(PROJECT_ROOT, 'test', 'fixtures', 'labs-aws');

/**
 * A classroom on a real-AWS lab: each student works in their own account, from credentials they type into the
 * lab page. Without real AWS: every "own account" is a sandbox account, and the server's real-AWS target (the
 * operator's profile) points at the sandbox too, as in test/server/aws-target.test.ts.
 */
describe('classroom students bring their own AWS account', () => {
  let tmp: string;
  let sandbox: EmbeddedSandbox;
  let server: TestServer;
  let operator: LearnerAwsAccess;
  let annAccount: LearnerAwsAccess;
  let joinCode: string;
  const logged: string[] = [];
  const open: Array<{ close(): unknown }> = [];
  const track = <T extends { close(): unknown }>(c: T) => (open.push(c), c);

  beforeAll(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'labrunner-class-aws-'));
    sandbox = await EmbeddedSandbox.start({ bin: BIN, dataDir: path.join(tmp, 'sandbox'), port: 0, log: () => undefined });
    operator = await sandbox.access('the-operator');
    annAccount = await sandbox.access('ann-own-account');
    writeFileSync(path.join(tmp, 'credentials'), `[ops]\naws_access_key_id = ${operator.credentials.accessKeyId}\naws_secret_access_key = ${operator.credentials.secretAccessKey}\n`);
    process.env.AWS_SHARED_CREDENTIALS_FILE = path.join(tmp, 'credentials');
    process.env.AWS_CONFIG_FILE = path.join(tmp, 'no-config');
    const realAws = await RealAwsTarget.fromProfile({ profile: 'ops', region: 'us-east-1', endpoint: sandbox.endpoint });
    server = await startTestServer({ aws: [sandbox, realAws], labsDir: LABS, log: (msg, err) => logged.push(`${msg} ${String(err ?? '')}`) });
    joinCode = (await createClassroom(server.url, { name: 'AWS class', labIds: ['on-aws'] })).classroom.joinCode;
  });
  afterAll(async () => {
    for (const c of open) await c.close();
    await server?.dispose();
    await sandbox?.dispose();
    rmSync(tmp, { recursive: true, force: true });
  });

  async function student(name: string) {
    const cookie = await join(server.url, joinCode, name);
    const me = (await http(server.url, 'GET', '/api/me', { cookie })).json<SessionInfo>();
    const socket = track(await ClassClient.connect(server.url, { cookie }));
    return { cookie, learnerId: me.learnerId!, socket };
  }

  it('asks for credentials first, then gives the terminal and the checks the student’s own account, never the server’s', async () => {
    const ann = await student('Ann');
    // Before: the terminal and the checks say what to do.
    const early = track(await TerminalClient.connect(server.url, { learner: ann.learnerId, lab: 'on-aws', headers: { cookie: ann.cookie } }));
    expect(await early.waitForMessage('error')).toMatchObject({ code: 'AwsCredentialsNeeded' });
    const refused = await ann.socket.ask<LabProgressView>('check:run', { labId: 'on-aws', stepId: 'whoami' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'AwsCredentialsNeeded' } });

    const { accessKeyId, secretAccessKey } = annAccount.credentials;
    const accepted = await ann.socket.ask<{ accountId: string }>('aws:credentials', { labId: 'on-aws', accessKeyId, secretAccessKey, region: 'us-east-1' });
    expect(accepted).toEqual({ ok: true, value: { accountId: annAccount.accountId } });
    expect(annAccount.accountId).not.toBe(operator.accountId);

    // The lab page names her account; her shell and her checks use it.
    const page = (await http(server.url, 'GET', `/api/labs/on-aws?learner=${ann.learnerId}`, { cookie: ann.cookie })).json<LabView>();
    expect(page.introductionHtml).toContain(annAccount.accountId);
    const shell = track(await TerminalClient.connect(server.url, { learner: ann.learnerId, lab: 'on-aws', headers: { cookie: ann.cookie } }));
    await shell.waitForMessage('attached');
    shell.type('aws sts get-caller-identity --query Account --output text\r');
    await shell.waitFor(`${annAccount.accountId}\r\n`, 30_000);
    const checked = valueOf(await ann.socket.ask<LabProgressView>('check:run', { labId: 'on-aws', stepId: 'whoami' }));
    expect(checked.steps.whoami!.status, JSON.stringify(checked.steps.whoami)).toBe('passed');

    // The secret never went back to the browser nor into the server's log.
    const seen = JSON.stringify(ann.socket.events) + JSON.stringify(page) + logged.join('\n');
    expect(seen).not.toContain(secretAccessKey);
  });

  it('refuses credentials AWS refuses, and another student never gets someone else’s account', async () => {
    const bob = await student('Bob');
    const wrong = await bob.socket.ask('aws:credentials', {
      labId: 'on-aws',
      accessKeyId: annAccount.credentials.accessKeyId,
      secretAccessKey: 'Not0The0Right0Secret0At0All0000',
      region: 'us-east-1',
    });
    expect(wrong).toMatchObject({ ok: false, error: { code: 'InvalidCredentials' } });
    expect(await bob.socket.ask('check:run', { labId: 'on-aws', stepId: 'whoami' })).toMatchObject({ ok: false, error: { code: 'AwsCredentialsNeeded' } });
  });

  it('leaves the owner on the server’s own profile', async () => {
    const owner = track(await ClassClient.connect(server.url, { learnerId: 'owner-tab' }));
    const page = (await http(server.url, 'GET', '/api/labs/on-aws?learner=owner-tab')).json<LabView>();
    expect(page.introductionHtml).toContain(operator.accountId);
    const run = await owner.ask<LabProgressView>('check:run', { labId: 'on-aws', stepId: 'repo' });
    expect(run.ok).toBe(true);
  });
});
