import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeleteRepositoryCommand } from '@aws-sdk/client-ecr';
import { EmbeddedSandbox } from '../../server/aws/index.ts';
import { createAwsClients } from '../../server/aws/clients.ts';
import { BIN, PROJECT_ROOT } from '../../cli/paths.ts';
import { EventsClient, valueOf } from '../helpers/events-client.ts';
import { TerminalClient } from '../helpers/terminal-client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const LABS = path.join(PROJECT_ROOT, 'test', 'fixtures', 'labs');

describe('grading on the server', () => {
  let sandboxDir: string;
  let dataDir: string;
  let sandbox: EmbeddedSandbox;
  let server: TestServer | undefined;
  const open: Array<{ close(): unknown }> = [];

  const start = async () => {
    server = await startTestServer({ aws: sandbox, labsDir: LABS, dataDir });
  };

  beforeAll(async () => {
    sandboxDir = mkdtempSync(path.join(os.tmpdir(), 'labrunner-grading-sbx-'));
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'labrunner-grading-'));
    sandbox = await EmbeddedSandbox.start({ bin: BIN, dataDir: sandboxDir, port: 0, log: () => undefined });
    await start();
  });
  afterAll(async () => {
    open.forEach((c) => c.close());
    await server?.dispose();
    await sandbox?.dispose();
    rmSync(sandboxDir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function learner(id: string): Promise<EventsClient> {
    const c = await EventsClient.connect(server!.url, id);
    open.push(c);
    return c;
  }
  const workspace = (id: string) => path.join(dataDir, 'workspaces', id, 'graded');

  it('fails with the hint before the work is done, passes after, and scores the step', async () => {
    const ann = await learner('ann');
    const before = valueOf(await ann.open('graded'));
    expect(before.score).toEqual({ earned: 0, total: 15 });
    expect(before.steps.answer!.status).toBe('not-started');

    const t = await TerminalClient.connect(server!.url, { learner: 'ann', lab: 'graded' });
    open.push({ close: () => t.close() });
    await t.waitForMessage('attached'); // the workspace exists once the shell has started

    const failed = valueOf(await ann.check('graded', 'answer'));
    expect(failed.steps.answer).toMatchObject({ status: 'failed', attempts: 1, pointsAwarded: 0 });
    expect(failed.steps.answer!.results[0]).toMatchObject({ status: 'fail', title: 'answer.txt says 42' });
    expect(failed.steps.answer!.results[0]!.hint).toBeTruthy();

    t.type('echo 42 > answer.txt; echo "writ""ten"\r');
    await t.waitFor('written\r\n');
    const passed = valueOf(await ann.check('graded', 'answer'));
    expect(passed.steps.answer).toMatchObject({ status: 'passed', attempts: 2, pointsAwarded: 5 });
    expect(passed.score).toEqual({ earned: 5, total: 15 });
    // The learner's other tabs hear about it too.
    expect(ann.updates.at(-1)?.steps.answer?.status).toBe('passed');
  });

  it('reveals the progressive hint after two failed attempts', async () => {
    const bob = await learner('bob');
    const t = await TerminalClient.connect(server!.url, { learner: 'bob', lab: 'graded' });
    open.push({ close: () => t.close() });
    await t.waitForMessage('attached');
    valueOf(await bob.check('graded', 'answer'));
    expect(valueOf(await bob.check('graded', 'answer')).steps.answer!.hintsHtml.join('')).toContain('echo 42 &gt; answer.txt');
  });

  it("checks each learner's own account, with their own variable values", async () => {
    const cat = await learner('cat');
    const failed = valueOf(await cat.check('graded', 'repo'));
    expect(failed.steps.repo!.results[0]!.status).toBe('fail');
    const title = failed.steps.repo!.results[0]!.title;
    const repoName = /Repository (fixture-[a-z0-9]+) exists/.exec(title)?.[1];
    expect(repoName).toBeTruthy();

    const t = await TerminalClient.connect(server!.url, { learner: 'cat', lab: 'graded' });
    open.push({ close: () => t.close() });
    await t.waitForMessage('attached');
    t.type(`aws ecr create-repository --repository-name ${repoName} >/dev/null && echo "cre""ated"\r`);
    await t.waitFor(/\bcreated\r\n/, 30_000);
    const after = valueOf(await cat.check('graded', 'repo'));
    expect(after.steps.repo!.status, JSON.stringify(after.steps.repo)).toBe('passed');

    // Another learner's variables differ, and cat's repository does not count for them.
    const dan = await learner('dan');
    const dansView = valueOf(await dan.check('graded', 'repo'));
    expect(dansView.steps.repo!.results[0]!.title).not.toBe(title);
    expect(dansView.steps.repo!.status).toBe('failed');
  });

  it('shows "was passing, now broken" and keeps the points when the work is undone', async () => {
    const cat = await learner('cat');
    const title = valueOf(await cat.open('graded')).steps.repo!.results[0]!.title;
    const repoName = /Repository (fixture-[a-z0-9]+) exists/.exec(title)![1]!;
    const aws = await createAwsClients(await sandbox.access('cat'));
    await aws.ecr.send(new DeleteRepositoryCommand({ repositoryName: repoName, force: true }));
    aws.dispose();
    const broken = valueOf(await cat.check('graded', 'repo'));
    expect(broken.steps.repo).toMatchObject({ status: 'broken', pointsAwarded: 10 });
    expect(broken.steps.repo!.results[0]!.hint).toBeTruthy();
  });

  it('ignores what a client claims: there is no way to mark a step passed, and bad requests change nothing', async () => {
    const eve = await learner('eve');
    // socket.io delivers any event name; the server has no handler that accepts a result from the browser.
    (eve.socket as unknown as { emit(e: string, ...a: unknown[]): void }).emit('lab:progress', {
      labId: 'graded',
      score: { earned: 15, total: 15 },
      steps: { answer: { status: 'passed' } },
    });
    const bad = await eve.check('graded', '../answer');
    expect(bad).toMatchObject({ ok: false, error: { code: 'BadRequest' } });
    const unknown = await eve.check('graded', 'no-such-step');
    expect(unknown).toMatchObject({ ok: false, error: { code: 'StepNotFound' } });
    const missingLab = await eve.open('nope');
    expect(missingLab).toMatchObject({ ok: false, error: { code: 'LabNotFound' } });
    expect(valueOf(await eve.open('graded')).score.earned).toBe(0);
  });

  it('keeps progress across a server restart', async () => {
    await server!.dispose({ keepData: true });
    await start();
    const ann = await learner('ann');
    const resumed = valueOf(await ann.open('graded'));
    expect(resumed.steps.answer).toMatchObject({ status: 'passed', pointsAwarded: 5, attempts: 2 });
    // And the workspace file is still there, so a new check still passes.
    expect(valueOf(await ann.check('graded', 'answer')).steps.answer!.status).toBe('passed');
    unlinkSync(path.join(workspace('ann'), 'answer.txt'));
    expect(valueOf(await ann.check('graded', 'answer')).steps.answer!.status).toBe('broken');
    writeFileSync(path.join(workspace('ann'), 'answer.txt'), '42\n');
  });
});
