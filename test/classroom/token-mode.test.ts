import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClassroomCreatedView, SessionInfo } from '../../server/core/protocol.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { CLASS_LABS, ClassClient, http } from './helpers.ts';

describe('classrooms on a server that needs an access token', () => {
  let server: TestServer;
  let created: ClassroomCreatedView;
  const owner = { authorization: 'Bearer owner-token' };

  beforeAll(async () => {
    server = await startTestServer({ labsDir: CLASS_LABS, token: 'owner-token', classroom: { limits: { failures: 3, windowMs: 60_000 } } });
    const res = await http(server.url, 'POST', '/api/classrooms', { headers: owner, body: { name: 'T', labIds: ['class-files'] } });
    expect(res.status).toBe(201);
    created = res.json<ClassroomCreatedView>();
  });
  afterAll(() => server.dispose());

  it('lets students in by the join link alone, and no one else without the token', async () => {
    expect((await http(server.url, 'GET', '/api/me')).status).toBe(401);
    expect((await http(server.url, 'GET', '/api/labs')).status).toBe(401);
    expect((await http(server.url, 'GET', `/join/${created.classroom.joinCode}`)).status).toBe(200);
    const joined = await http(server.url, 'POST', '/api/join', { body: { code: created.classroom.joinCode, displayName: 'Ann' } });
    expect(joined.json()).toEqual({ redirect: '/' });
    const setCookie = String(joined.headers['set-cookie']);
    expect(setCookie).toMatch(/labrunner_session=[A-Za-z0-9_-]{43}; Max-Age=\d+; Path=\/; Expires=[^;]+; HttpOnly; SameSite=Lax/);
    const me = (await http(server.url, 'GET', '/api/me', { cookie: joined.sessionCookie! })).json<SessionInfo>();
    expect(me).toMatchObject({ role: 'student', mode: 'token' });
    const socket = await ClassClient.connect(server.url, { cookie: joined.sessionCookie! });
    expect(await socket.waitFor<SessionInfo>('session')).toMatchObject({ role: 'student', learnerId: me.learnerId });
    socket.close();
    await expect(ClassClient.connect(server.url)).rejects.toThrow();
    // The owner's token still works beside a student's cookie.
    expect((await http(server.url, 'GET', '/api/me', { headers: owner })).json<SessionInfo>().role).toBe('owner');
  });

  it('rate-limits failed joins per address, with a JSON 429', async () => {
    for (let i = 0; i < 3; i++) expect((await http(server.url, 'POST', '/api/join', { body: { code: 'wrongcode1', displayName: 'X' } })).status).toBe(404);
    const limited = await http(server.url, 'POST', '/api/join', { body: { code: created.classroom.joinCode, displayName: 'X' } });
    expect(limited.status).toBe(429);
    expect(limited.json<{ error: { code: string } }>().error.code).toBe('TooManyRequests');
  });
});
