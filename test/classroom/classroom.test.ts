import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  ClassroomCreatedView,
  DashboardStudentView,
  DashboardView,
  GradebookView,
  LabProgressView,
  SessionInfo,
  StudentDetailView,
  AnnouncementView,
} from '../../server/core/protocol.ts';
import { TerminalClient } from '../helpers/terminal-client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { CLASS_LABS, ClassClient, createClassroom, http, instructorCookie, join, valueOf } from './helpers.ts';

describe('a classroom on a real server', () => {
  let server: TestServer;
  let created: ClassroomCreatedView;
  const open: Array<{ close(): unknown }> = [];
  const track = <T extends { close(): unknown }>(c: T) => (open.push(c), c);

  beforeAll(async () => {
    server = await startTestServer({ labsDir: CLASS_LABS });
    created = await createClassroom(server.url, { name: 'Files 101', labIds: ['class-files'], stuckFailures: 2 });
  });
  afterAll(async () => {
    for (const c of open) await c.close();
    await server.dispose();
  });

  const terminal = async (cookie: string, learner: string) => {
    const t = track(await TerminalClient.connect(server.url, { learner, lab: 'class-files', headers: { cookie } }));
    await t.waitForMessage('attached');
    return t;
  };

  it('gives each student who joins a cookie, their own learner id, and a shell in their own workspace', async () => {
    expect(created.classroom.joinUrl).toBe(`${server.url}/join/${created.classroom.joinCode}`);
    const annCookie = await join(server.url, created.classroom.joinCode, '  Ann  ');
    const bobCookie = await join(server.url, created.classroom.joinCode.toUpperCase(), 'Bob');
    const ann = (await http(server.url, 'GET', '/api/me', { cookie: annCookie })).json<SessionInfo>();
    const bob = (await http(server.url, 'GET', '/api/me', { cookie: bobCookie })).json<SessionInfo>();
    expect(ann).toMatchObject({ role: 'student', displayName: 'Ann', recordingCommands: true, classroom: { id: created.classroom.id, labIds: ['class-files'] } });
    expect(ann.learnerId).toMatch(/^s-[a-z0-9]{12}$/);
    expect(bob.learnerId).not.toBe(ann.learnerId);

    const annSocket = track(await ClassClient.connect(server.url, { cookie: annCookie }));
    expect(await annSocket.waitFor<SessionInfo>('session')).toMatchObject({ role: 'student', learnerId: ann.learnerId });

    const annShell = await terminal(annCookie, ann.learnerId!);
    const bobShell = await terminal(bobCookie, bob.learnerId!);
    annShell.type('echo 42 > answer.txt; pwd; echo "do""ne"\r');
    await annShell.waitFor('done\r\n');
    bobShell.type('pwd; echo "do""ne"\r');
    await bobShell.waitFor('done\r\n');
    expect(annShell.text).toContain(path.join(server.dataDir, 'workspaces', ann.learnerId!, 'class-files'));
    expect(bobShell.text).toContain(path.join(server.dataDir, 'workspaces', bob.learnerId!, 'class-files'));
    expect(existsSync(path.join(server.dataDir, 'workspaces', bob.learnerId!, 'class-files', 'answer.txt'))).toBe(false);

    // Ann's file passes Ann's check; Bob's check of the same step, in his own workspace, fails.
    expect(valueOf(await annSocket.ask<LabProgressView>('check:run', { labId: 'class-files', stepId: 'answer' })).steps.answer!.status).toBe('passed');
    const bobSocket = track(await ClassClient.connect(server.url, { cookie: bobCookie }));
    expect(valueOf(await bobSocket.ask<LabProgressView>('check:run', { labId: 'class-files', stepId: 'answer' })).steps.answer!.status).toBe('failed');
    expect(valueOf(await bobSocket.ask<LabProgressView>('lab:open', { labId: 'class-files' })).score.earned).toBe(0);
  });

  it('shows a passed check on the instructor\'s dashboard live, with the attempt and its hint in the detail; announcements reach students', async () => {
    const instructor = await instructorCookie(server.url, created.instructorUrl);
    const me = (await http(server.url, 'GET', '/api/me', { cookie: instructor })).json<SessionInfo>();
    expect(me).toMatchObject({ role: 'instructor', classroom: { id: created.classroom.id } });
    expect(me.learnerId).toBeUndefined();

    const cara = await join(server.url, created.classroom.joinCode, 'Cara');
    const caraId = (await http(server.url, 'GET', '/api/me', { cookie: cara })).json<SessionInfo>().learnerId!;
    const caraSocket = track(await ClassClient.connect(server.url, { cookie: cara }));
    const dash = track(await ClassClient.connect(server.url, { cookie: instructor }));
    const view = valueOf(await dash.ask<DashboardView>('dashboard:open', { classroomId: created.classroom.id }));
    expect(view.labs).toEqual([{ id: 'class-files', title: 'Files for the class', steps: [{ id: 'answer', title: 'Write the answer', points: 5 }, { id: 'name', title: 'Write the name', points: 10 }] }]);
    expect(view.students.find((s) => s.learnerId === caraId)).toMatchObject({ displayName: 'Cara', online: true, revoked: false });

    const shell = await terminal(cara, caraId);
    valueOf(await caraSocket.ask('check:run', { labId: 'class-files', stepId: 'answer' })); // fails: no file yet
    const failedRow = await dash.waitFor<{ student: DashboardStudentView }>('dashboard:student', (u) => u.student.learnerId === caraId && u.student.labs['class-files']!.steps.answer!.status === 'failed');
    expect(failedRow.student.labs['class-files']!.steps.answer!.attempts).toBe(1);

    valueOf(await dash.ask<StudentDetailView>('dashboard:student', { classroomId: created.classroom.id, learnerId: caraId }));
    shell.type('echo 42 > answer.txt; echo "writ""ten"\r');
    await shell.waitFor('written\r\n');
    valueOf(await caraSocket.ask('check:run', { labId: 'class-files', stepId: 'answer' }));
    const passed = await dash.waitFor<{ classroomId: string; student: DashboardStudentView }>('dashboard:student', (u) => u.student.learnerId === caraId && u.student.labs['class-files']!.steps.answer!.status === 'passed');
    expect(passed.classroomId).toBe(created.classroom.id);
    expect(passed.student.labs['class-files']).toMatchObject({ currentStepId: 'name', score: { earned: 5, total: 15 } });
    expect(await dash.waitFor('dashboard:timeline', (u: { learnerId: string; entry: { kind: string } }) => u.learnerId === caraId && u.entry.kind === 'check')).toBeTruthy();

    const detail = valueOf(await dash.ask<StudentDetailView>('dashboard:student', { classroomId: created.classroom.id, learnerId: caraId }));
    const checks = detail.timeline.filter((e) => e.kind === 'check');
    expect(checks.map((c) => c.kind === 'check' && c.results[0]!.status)).toEqual(['pass', 'fail']);
    const failedCheck = checks[1]!;
    expect(failedCheck.kind === 'check' && failedCheck.results[0]).toMatchObject({ title: 'answer.txt says 42', status: 'fail' });
    expect(failedCheck.kind === 'check' && failedCheck.results[0]!.hint).toBeTruthy();

    const announced = valueOf(await dash.ask<AnnouncementView>('classroom:announce', { classroomId: created.classroom.id, text: 'Break until 11:00' }));
    expect(await caraSocket.waitFor<AnnouncementView>('announcement')).toEqual(announced);
    expect((await http(server.url, 'GET', '/api/me', { cookie: cara })).json<SessionInfo>().announcement).toEqual(announced);
  });

  it('flags a student stuck after K failed checks, with the hint they saw', async () => {
    const dan = await join(server.url, created.classroom.joinCode, 'Dan');
    const danId = (await http(server.url, 'GET', '/api/me', { cookie: dan })).json<SessionInfo>().learnerId!;
    const danSocket = track(await ClassClient.connect(server.url, { cookie: dan }));
    await terminal(dan, danId);
    const dash = track(await ClassClient.connect(server.url)); // the owner, on loopback
    valueOf(await dash.ask('dashboard:open', { classroomId: created.classroom.id }));
    valueOf(await danSocket.ask('check:run', { labId: 'class-files', stepId: 'answer' }));
    valueOf(await danSocket.ask('check:run', { labId: 'class-files', stepId: 'answer' }));
    const row = await dash.waitFor<{ student: DashboardStudentView }>('dashboard:student', (u) => u.student.learnerId === danId && !!u.student.stuck);
    expect(row.student.stuck).toEqual({
      reason: 'failed-attempts',
      labId: 'class-files',
      stepId: 'answer',
      message: '2 failed checks on “Write the answer”',
      lastHint: 'Run echo 42 > answer.txt.',
    });
  });

  it("lets the instructor watch a student's terminal read-only, and type only once the student accepts", async () => {
    const gus = await join(server.url, created.classroom.joinCode, 'Gus');
    const gusId = (await http(server.url, 'GET', '/api/me', { cookie: gus })).json<SessionInfo>().learnerId!;
    const instructor = await instructorCookie(server.url, created.instructorUrl);
    const watch = () => TerminalClient.connect(server.url, { learner: gusId, lab: 'class-files', headers: { cookie: instructor }, query: { shadow: '1' } });
    await expect(watch()).rejects.toThrow('refused: 404'); // no shell yet: watching never starts one

    const gusSocket = track(await ClassClient.connect(server.url, { cookie: gus }));
    const shell = await terminal(gus, gusId);
    const view = track(await watch());
    await view.waitForMessage('attached');
    shell.type('echo "from ""gus"\r');
    await view.waitFor('from gus\r\n');

    view.type('echo "instr""uctor one"\r');
    shell.type('echo "mar""ker"\r');
    await shell.waitFor('marker\r\n');
    expect(shell.text).not.toContain('instructor one');

    const dash = track(await ClassClient.connect(server.url, { cookie: instructor }));
    const { requestId } = valueOf(await dash.ask<{ requestId: string }>('shadow:request-write', { classroomId: created.classroom.id, learnerId: gusId, labId: 'class-files' }));
    expect(await gusSocket.waitFor<{ requestId: string }>('shadow:request')).toMatchObject({ requestId, labId: 'class-files' });
    expect(valueOf(await gusSocket.ask('shadow:respond', { requestId, accept: true }))).toEqual({ write: true });
    expect(await dash.waitFor('shadow:state')).toEqual({ learnerId: gusId, labId: 'class-files', write: true });
    view.type('echo "instr""uctor two"\r');
    await shell.waitFor('instructor two\r\n');

    valueOf(await gusSocket.ask('shadow:respond', { requestId, accept: false }));
    await dash.waitFor('shadow:state', (s: { write: boolean }) => !s.write);
    view.type('echo "instr""uctor three"\r');
    shell.type('echo "mark""er2"\r');
    await shell.waitFor('marker2\r\n');
    expect(shell.text).not.toContain('instructor three');
  });

  it("records a student's commands with their exit status for the timeline, and nobody else's", async () => {
    const hal = await join(server.url, created.classroom.joinCode, 'Hal');
    const halId = (await http(server.url, 'GET', '/api/me', { cookie: hal })).json<SessionInfo>().learnerId!;
    const dash = track(await ClassClient.connect(server.url));
    valueOf(await dash.ask('dashboard:student', { classroomId: created.classroom.id, learnerId: halId }));
    const shell = await terminal(hal, halId);
    shell.type('ls /nonexistent-dir\r');
    shell.type('echo "do""ne"\r');
    await shell.waitFor('done\r\n');
    const live = await dash.waitFor<{ entry: { kind: string; command?: string; exitCode?: number } }>('dashboard:timeline', (u) => u.entry.kind === 'command' && u.entry.command === 'ls /nonexistent-dir');
    expect(live.entry).toMatchObject({ kind: 'command', labId: 'class-files', exitCode: 2 });
    await dash.waitFor('dashboard:timeline', (u: { entry: { command?: string } }) => u.entry.command === 'echo "do""ne"');
    const detail = valueOf(await dash.ask<StudentDetailView>('dashboard:student', { classroomId: created.classroom.id, learnerId: halId }));
    expect(detail.timeline.filter((e) => e.kind === 'command').map((e) => e.kind === 'command' && [e.command, e.exitCode])).toEqual([
      ['echo "do""ne"', 0],
      ['ls /nonexistent-dir', 2],
    ]);

    // The owner's own learner shells are not classroom students': nothing is recorded, and no record escapes into output.
    const own = track(await TerminalClient.connect(server.url, { learner: 'owner-tab', lab: 'class-files' }));
    await own.waitForMessage('attached');
    own.type('echo "own""er"\r');
    await own.waitFor('owner\r\n');
    expect(own.text).not.toContain('6973;');
  });

  it('exports the gradebook as CSV and JSON with points, attempts, first pass and totals; formulas in names are neutralised', async () => {
    const eve = await join(server.url, created.classroom.joinCode, '=HYPERLINK("http://evil.example","x")');
    const eveId = (await http(server.url, 'GET', '/api/me', { cookie: eve })).json<SessionInfo>().learnerId!;
    const json = await http(server.url, 'GET', `/api/classrooms/${created.classroom.id}/gradebook.json`);
    expect(json.status).toBe(200);
    const book = json.json<GradebookView>();
    const cara = book.rows.filter((r) => r.student === 'Cara');
    expect(cara).toEqual([
      expect.objectContaining({ lab: 'class-files', step: 'answer', status: 'passed', points: 5, pointsPossible: 5, attempts: 2, total: 5, totalPossible: 15 }),
      expect.objectContaining({ step: 'name', status: 'not-started', points: 0, attempts: 0, firstPassedAt: '', total: 5 }),
    ]);
    expect(Date.parse(cara[0]!.firstPassedAt)).toBeGreaterThan(0);

    const csv = await http(server.url, 'GET', `/api/classrooms/${created.classroom.id}/gradebook.csv`);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.headers['content-disposition']).toMatch(/^attachment; filename="?gradebook-c-[a-z0-9]+\.csv"?$/);
    const lines = csv.body.split('\r\n');
    expect(lines[0]).toBe('student,roster_id,learner_id,lab,step,status,points,points_possible,attempts,first_passed_at,total,total_possible');
    expect(lines).toContain(`Cara,,${cara[0]!.learnerId},class-files,answer,passed,5,5,2,${cara[0]!.firstPassedAt},5,15`);
    expect(lines).toContain(`"'=HYPERLINK(""http://evil.example"",""x"")",,${eveId},class-files,answer,not-started,0,5,0,,0,15`);
    expect(csv.body).not.toMatch(/(^|\r\n|,)"?=HYPERLINK/);
  });
});
