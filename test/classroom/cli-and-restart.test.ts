import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, PROJECT_ROOT } from '../../cli/paths.ts';
import type { DashboardView, GradebookView, LabProgressView, SessionInfo } from '../../server/core/protocol.ts';
import { CliServer } from '../helpers/cli-server.ts';
import { TerminalClient } from '../helpers/terminal-client.ts';
import { startTestServer } from '../helpers/server.ts';
import { CLASS_LABS, ClassClient, createClassroom, http, join, valueOf } from './helpers.ts';

const run = promisify(execFile);
const dirs: string[] = [];
const cleanups: Array<() => unknown> = [];
const tmp = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'labrunner-classroom-'));
  dirs.push(d);
  return d;
};
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});

const cli = (dataDir: string, ...args: string[]) =>
  run(process.execPath, [BIN, 'classroom', ...args, '--data-dir', dataDir, '--labs-dir', CLASS_LABS], { cwd: PROJECT_ROOT }).then((r) => r.stdout);

/** A student who joined, with a shell where they passed the first step. */
async function studentWhoPassed(url: string, joinCode: string, name: string, rosterId?: string) {
  const cookie = await join(url, joinCode, name, rosterId);
  const learnerId = (await http(url, 'GET', '/api/me', { cookie })).json<SessionInfo>().learnerId!;
  const shell = await TerminalClient.connect(url, { learner: learnerId, lab: 'class-files', headers: { cookie } });
  cleanups.push(() => shell.close());
  await shell.waitForMessage('attached');
  shell.type('echo 42 > answer.txt; echo "writ""ten"\r');
  await shell.waitFor('written\r\n');
  const socket = await ClassClient.connect(url, { cookie });
  cleanups.push(() => socket.close());
  expect(valueOf(await socket.ask<LabProgressView>('check:run', { labId: 'class-files', stepId: 'answer' })).steps.answer!.status).toBe('passed');
  return { cookie, learnerId };
}

describe('labrunner classroom (the CLI) on a data dir', () => {
  it('creates, lists, exports and revokes, with or without a server', async () => {
    const dataDir = tmp();
    const roster = path.join(dataDir, 'roster.txt');
    writeFileSync(roster, '# period 2\nA-1\nb-2\n');
    const created = await cli(dataDir, 'create', '--lab', 'class-files', '--name', 'Period 2', '--roster', roster, '--stuck-failures', '4', '--url', 'http://class.example:3000');
    const id = /classroom (c-[a-z0-9]+) created: Period 2/.exec(created)?.[1];
    const code = /join code:\s+([a-z0-9]+)/.exec(created)?.[1];
    expect(id, created).toBeTruthy();
    expect(created).toContain(`join link:        http://class.example:3000/join/${code}`);
    expect(created).toMatch(new RegExp(`instructor link:  http://class\\.example:3000/instructor/${id}\\?key=[A-Za-z0-9_-]{43} `));
    expect(await cli(dataDir, 'list')).toMatch(new RegExp(`^${id}  open\\s+0 students  ${code}  class-files  Period 2\\n$`));

    const refused = await cli(dataDir, 'create', '--lab', 'nope', '--name', 'x').catch((err: { code: number; stderr: string }) => err);
    expect(refused).toMatchObject({ code: 2, stderr: "labrunner: labIds: there is no lab 'nope'.\n" });

    // A server on the same data dir sees the CLI's classroom; a student joins and passes a step.
    const server = await startTestServer({ labsDir: CLASS_LABS, dataDir });
    cleanups.push(() => server.dispose());
    const ann = await studentWhoPassed(server.url, code!, 'Ann', 'a-1');

    const csv = await cli(dataDir, 'export', id!, '--format', 'csv');
    expect(csv.split('\r\n').slice(0, 3)).toEqual([
      'student,roster_id,learner_id,lab,step,status,points,points_possible,attempts,first_passed_at,total,total_possible',
      expect.stringMatching(new RegExp(`^Ann,A-1,${ann.learnerId},class-files,answer,passed,5,5,1,\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z,5,15$`)),
      `Ann,A-1,${ann.learnerId},class-files,name,not-started,0,10,0,,5,15`,
    ]);
    const out = path.join(dataDir, 'grades.json');
    await cli(dataDir, 'export', id!, '--format', 'json', '--output', out);
    expect(JSON.parse(readFileSync(out, 'utf8')) as GradebookView).toMatchObject({ classroom: { id, name: 'Period 2' }, rows: [{ student: 'Ann', points: 5 }, { step: 'name' }] });

    expect(await cli(dataDir, 'revoke', id!, 'A-1')).toContain(`revoked ${ann.learnerId} (Ann)`);
    expect((await http(server.url, 'GET', '/api/me', { cookie: ann.cookie })).status).toBe(401);
    expect(await cli(dataDir, 'show', id!)).toContain(`${ann.learnerId}  A-1  5/15  Ann  (revoked)`);
  });
});

describe('persistence', () => {
  it('keeps cookies and the dashboard across a restart on the same data dir', async () => {
    const dataDir = tmp();
    let server = await startTestServer({ labsDir: CLASS_LABS, dataDir });
    const created = await createClassroom(server.url, { name: 'Restart', labIds: ['class-files'] });
    const ann = await studentWhoPassed(server.url, created.classroom.joinCode, 'Ann');
    for (const c of cleanups.splice(0).reverse()) await c();
    await server.dispose();

    server = await startTestServer({ labsDir: CLASS_LABS, dataDir });
    cleanups.push(() => server.dispose());
    expect((await http(server.url, 'GET', '/api/me', { cookie: ann.cookie })).json<SessionInfo>()).toMatchObject({ role: 'student', learnerId: ann.learnerId });
    const owner = await ClassClient.connect(server.url);
    cleanups.push(() => owner.close());
    const dashboard = valueOf(await owner.ask<DashboardView>('dashboard:open', { classroomId: created.classroom.id }));
    expect(dashboard.students.map((s) => [s.displayName, s.labs['class-files']!.steps.answer!.status, s.labs['class-files']!.score.earned])).toEqual([['Ann', 'passed', 5]]);
  });

  it('loses no recorded check when `labrunner serve` is killed with SIGKILL', async () => {
    const dataDir = tmp();
    const served = await CliServer.start(['--labs-dir', CLASS_LABS], { dataDir });
    // stop() waits for an exit that already happened when the test killed it; only stop a live child.
    cleanups.push(() => (served.child.exitCode === null && served.child.signalCode === null ? served.stop('SIGKILL') : undefined));
    const created = await createClassroom(served.url, { name: 'Kill', labIds: ['class-files'] });
    const ann = await studentWhoPassed(served.url, created.classroom.joinCode, 'Ann');
    served.child.kill('SIGKILL');
    await new Promise((resolve) => served.child.once('exit', resolve));

    const book = JSON.parse(await cli(dataDir, 'export', created.classroom.id, '--format', 'json')) as GradebookView;
    expect(book.rows.find((r) => r.learnerId === ann.learnerId && r.step === 'answer')).toMatchObject({ status: 'passed', points: 5, attempts: 1 });
  });
});
