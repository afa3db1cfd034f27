import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, PROJECT_ROOT } from '../../cli/paths.ts';
import type { ClassroomCreatedView, LabProgressView, SessionInfo } from '../../server/core/protocol.ts';
import { TerminalClient } from '../helpers/terminal-client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { CLASS_LABS, ClassClient, createClassroom, http, instructorCookie, join, valueOf } from './helpers.ts';

const run = promisify(execFile);

describe('authorisation crossings, each refused', () => {
  let server: TestServer;
  let a: ClassroomCreatedView;
  let b: ClassroomCreatedView;
  let ann: { cookie: string; id: string };
  let bob: { cookie: string; id: string };
  const open: Array<{ close(): unknown }> = [];
  const track = <T extends { close(): unknown }>(c: T) => (open.push(c), c);

  const student = async (classroom: ClassroomCreatedView, name: string, rosterId?: string) => {
    const cookie = await join(server.url, classroom.classroom.joinCode, name, rosterId);
    return { cookie, id: (await http(server.url, 'GET', '/api/me', { cookie })).json<SessionInfo>().learnerId! };
  };
  const terminalStatus = (cookie: string, { learner, lab, shadow }: { learner: string; lab?: string; shadow?: '1' }) =>
    TerminalClient.connect(server.url, { learner, lab: lab ?? 'class-files', headers: { cookie }, ...(shadow ? { query: { shadow } } : {}) }).then(
      (t) => (track(t), 101),
      (err: Error) => Number(/refused: (\d+)/.exec(err.message)?.[1] ?? 0),
    );

  beforeAll(async () => {
    server = await startTestServer({ labsDir: CLASS_LABS, classroom: { sweepMs: 200 } });
    a = await createClassroom(server.url, { name: 'A', labIds: ['class-files'] });
    b = await createClassroom(server.url, { name: 'B', labIds: ['class-files'], roster: ['S-100', 's-200'] });
    ann = await student(a, 'Ann');
    bob = await student(a, 'Bob');
  });
  afterAll(async () => {
    for (const c of open) await c.close();
    await server.dispose();
  });

  it("keeps a student out of another student's terminal, other labs, and shadowing", async () => {
    expect(await terminalStatus(ann.cookie, { learner: bob.id })).toBe(403);
    expect(await terminalStatus(ann.cookie, { learner: ann.id, lab: 'class-other' })).toBe(403);
    expect(await terminalStatus(ann.cookie, { learner: bob.id, shadow: '1' })).toBe(403);
    expect(await terminalStatus(ann.cookie, { learner: ann.id, shadow: '1' })).toBe(403);
    expect(await terminalStatus(ann.cookie, { learner: ann.id })).toBe(101);
    expect((await http(server.url, 'GET', '/api/labs/class-other', { cookie: ann.cookie })).status).toBe(403);
    expect((await http(server.url, 'GET', '/api/labs', { cookie: ann.cookie })).json<{ id: string }[]>().map((l) => l.id)).toEqual(['class-files']);
  });

  it('keeps a student out of classroom routes, the dashboard and the gradebook', async () => {
    for (const path of ['/api/classrooms', `/api/classrooms/${a.classroom.id}`, `/api/classrooms/${a.classroom.id}/gradebook.csv`, `/api/classrooms/${a.classroom.id}/gradebook.json`]) {
      expect((await http(server.url, 'GET', path, { cookie: ann.cookie })).status, path).toBe(403);
    }
    expect((await http(server.url, 'POST', '/api/classrooms', { cookie: ann.cookie, body: { name: 'x', labIds: ['class-files'] } })).status).toBe(403);
    expect((await http(server.url, 'POST', `/api/classrooms/${a.classroom.id}/close`, { cookie: ann.cookie, body: {} })).status).toBe(403);
    const socket = track(await ClassClient.connect(server.url, { cookie: ann.cookie }));
    for (const [event, payload] of [
      ['dashboard:open', { classroomId: a.classroom.id }],
      ['dashboard:student', { classroomId: a.classroom.id, learnerId: bob.id }],
      ['classroom:announce', { classroomId: a.classroom.id, text: 'hi' }],
      ['classroom:revoke', { classroomId: a.classroom.id, learnerId: bob.id }],
      ['shadow:request-write', { classroomId: a.classroom.id, learnerId: bob.id, labId: 'class-files' }],
    ] as const) {
      const answer = await socket.ask(event, payload);
      expect(answer.ok, event).toBe(false);
      expect(!answer.ok && answer.error.code, event).toBe('Forbidden');
    }
  });

  it("ignores a student's forged auth.learnerId: checks and progress stay their own", async () => {
    const forged = track(await ClassClient.connect(server.url, { cookie: ann.cookie, learnerId: bob.id }));
    expect(await forged.waitFor<SessionInfo>('session')).toMatchObject({ learnerId: ann.id });
    await track(await ClassClient.connect(server.url, { cookie: bob.cookie })).ask('check:run', { labId: 'class-files', stepId: 'answer' });
    const annProgress = valueOf(await forged.ask<LabProgressView>('lab:open', { labId: 'class-files' }));
    expect(annProgress.steps.answer!.attempts).toBe(0);
    valueOf(await forged.ask('check:run', { labId: 'class-files', stepId: 'answer' }));
    const bobSocket = track(await ClassClient.connect(server.url, { cookie: bob.cookie }));
    expect(valueOf(await bobSocket.ask<LabProgressView>('lab:open', { labId: 'class-files' })).steps.answer!.attempts).toBe(1);
  });

  it("keeps classroom A's instructor out of classroom B", async () => {
    const instructorA = await instructorCookie(server.url, a.instructorUrl);
    const socket = track(await ClassClient.connect(server.url, { cookie: instructorA }));
    expect(valueOf(await socket.ask('dashboard:open', { classroomId: a.classroom.id }))).toBeTruthy();
    const refused = await socket.ask('dashboard:open', { classroomId: b.classroom.id });
    expect(!refused.ok && refused.error.code).toBe('Forbidden');
    expect((await http(server.url, 'GET', `/api/classrooms/${b.classroom.id}/gradebook.csv`, { cookie: instructorA })).status).toBe(403);
    expect((await http(server.url, 'GET', '/api/classrooms', { cookie: instructorA })).status).toBe(403);
    const carl = await student(b, 'Carl', 's-100');
    expect(await terminalStatus(instructorA, { learner: carl.id, shadow: '1' })).toBe(403);
    expect(await terminalStatus(instructorA, { learner: ann.id })).toBe(403); // not shadow: instructors never are a learner
  });

  it('refuses a wrong instructor key, a closed classroom, a roster id not on the roster, and resumes a roster id', async () => {
    const wrong = await http(server.url, 'GET', `/instructor/${a.classroom.id}?key=not-the-key`);
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatch(/wrong, or it was replaced/);
    expect(wrong.sessionCookie).toBeUndefined();

    const notListed = await http(server.url, 'POST', '/api/join', { body: { code: b.classroom.joinCode, displayName: 'Mallory', rosterId: 's-999' } });
    expect([notListed.status, notListed.json<{ error: { code: string } }>().error.code]).toEqual([403, 'NotOnRoster']);
    const noRosterId = await http(server.url, 'POST', '/api/join', { body: { code: b.classroom.joinCode, displayName: 'Mallory' } });
    expect(noRosterId.status).toBe(400);
    expect(noRosterId.json<{ error: { message: string } }>().error.message).toMatch(/^rosterId: /);
    const first = await student(b, 'Dee', 'S-200');
    const again = await student(b, 'Dee on her phone', 's-200');
    expect(again.id).toBe(first.id);

    const c = await createClassroom(server.url, { name: 'C', labIds: ['class-files'] });
    expect((await http(server.url, 'POST', `/api/classrooms/${c.classroom.id}/close`, { body: {} })).status).toBe(200);
    const closed = await http(server.url, 'POST', '/api/join', { body: { code: c.classroom.joinCode, displayName: 'Late' } });
    expect([closed.status, closed.json<{ error: { code: string } }>().error.code]).toEqual([409, 'ClassroomClosed']);
    expect((await http(server.url, 'POST', '/api/join', { body: { code: 'zzzzzzzzzz', displayName: 'X' } })).status).toBe(404);
    expect((await http(server.url, 'POST', '/api/join', { body: { code: a.classroom.joinCode, displayName: 'bad\u0007name' } })).status).toBe(400);
  });

  it('refuses non-JSON and cross-origin POSTs, and anonymous requests beyond the public routes', async () => {
    const form = await http(server.url, 'POST', '/api/join', { body: `code=${a.classroom.joinCode}&displayName=x`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(form.status).toBe(415);
    const crossSite = await http(server.url, 'POST', '/api/classrooms', { body: { name: 'x', labIds: ['class-files'] }, headers: { origin: 'http://evil.example' } });
    expect(crossSite.status).toBe(403);
    const sameSite = await http(server.url, 'POST', '/api/join', { body: { code: a.classroom.joinCode, displayName: 'Ok' }, headers: { origin: server.url } });
    expect(sameSite.status).toBe(200);
    expect((await http(server.url, 'GET', `/join/${a.classroom.joinCode}`)).status).toBe(200);
    // A made-up session cookie is nobody, even on loopback: it never falls back to the owner.
    const forged = 'labrunner_session=' + 'A'.repeat(43);
    expect((await http(server.url, 'GET', '/api/me', { cookie: forged })).status).toBe(401);
    expect((await http(server.url, 'GET', '/api/classrooms', { cookie: forged })).status).toBe(401);
    expect((await http(server.url, 'GET', '/healthz', { cookie: forged })).status).toBe(200);
  });

  it('ends a revoked student at once: the live socket gets session:ended, the cookie then gets 401 (socket event)', async () => {
    const eve = await student(a, 'Eve');
    const eveSocket = track(await ClassClient.connect(server.url, { cookie: eve.cookie }));
    const eveTerminal = track(await TerminalClient.connect(server.url, { learner: eve.id, lab: 'class-files', headers: { cookie: eve.cookie } }));
    await eveTerminal.waitForMessage('attached');
    const instructor = track(await ClassClient.connect(server.url, { cookie: await instructorCookie(server.url, a.instructorUrl) }));
    valueOf(await instructor.ask('classroom:revoke', { classroomId: a.classroom.id, learnerId: eve.id }));
    expect(await eveSocket.waitFor<{ reason: string }>('session:ended')).toHaveProperty('reason');
    await eveSocket.waitForDisconnect();
    await new Promise<void>((resolve) => (eveTerminal.ws.readyState === eveTerminal.ws.CLOSED ? resolve() : eveTerminal.ws.once('close', () => resolve())));
    const replay = await http(server.url, 'GET', '/api/me', { cookie: eve.cookie });
    expect(replay.status).toBe(401);
    expect(replay.json<{ error: { code: string } }>().error.code).toBe('Unauthorized');
    expect(await terminalStatus(eve.cookie, { learner: eve.id })).toBe(401);
    await expect(ClassClient.connect(server.url, { cookie: eve.cookie })).rejects.toThrow();
  });

  it('ends a student revoked by the CLI in another process within a sweep', async () => {
    const fay = await student(a, 'Fay');
    const faySocket = track(await ClassClient.connect(server.url, { cookie: fay.cookie }));
    await run(process.execPath, [BIN, 'classroom', 'revoke', a.classroom.id, fay.id, '--data-dir', server.dataDir, '--labs-dir', CLASS_LABS], { cwd: PROJECT_ROOT });
    expect(await faySocket.waitFor('session:ended')).toBeTruthy();
    await faySocket.waitForDisconnect();
    expect((await http(server.url, 'GET', '/api/me', { cookie: fay.cookie })).status).toBe(401);
  });
});
