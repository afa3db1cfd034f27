import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.dispose();
  server = undefined;
});

/** A raw GET: the path is sent exactly as written (fetch would normalise `..` away). */
function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const url = new URL(server!.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, headers: { host: url.host, ...headers } }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('what the HTTP server serves', () => {
  it('serves the lab list, a lab, and the lab files a learner gets', async () => {
    server = await startTestServer();
    const labs = JSON.parse((await get('/api/labs')).body) as Array<{ id: string }>;
    expect(labs.map((l) => l.id)).toContain('welcome');
    expect((await get('/api/labs/welcome')).status).toBe(200);
    expect((await get('/labs/welcome/files/hello.txt')).body).toContain('Hello from your labrunner workspace.');
  });

  it('never serves anything outside the client bundle and the labs\' assets/ and files/', async () => {
    server = await startTestServer();
    const attempts = [
      '/labs/welcome/lab.md',
      '/labs/welcome/files/../lab.md',
      '/labs/welcome/files/%2e%2e/lab.md',
      '/labs/welcome/files/%2e%2e%2flab.md',
      '/labs/welcome/files/..%2f..%2f..%2fpackage.json',
      '/labs/..%2f..%2fpackage.json/files/x',
      '/labs/welcome/solve/anything.sh',
      '/labs/welcome/files/.bashrc',
      '/../package.json',
      '/%2e%2e/package.json',
      '/assets/../../package.json',
      '/..%5c..%5cpackage.json',
      '/server/main.ts',
      '/api/labs/..%2f..%2fetc',
    ];
    for (const path of attempts) {
      const res = await get(path);
      expect([400, 403, 404], `${path} → ${res.status}`).toContain(res.status);
      expect(res.body).not.toContain('"name": "labrunner"');
      expect(res.body).not.toContain('title: Welcome to labrunner');
    }
  });

  it('answers with security headers that keep pages from being framed or scripted from elsewhere', async () => {
    server = await startTestServer();
    const res = await get('/api/labs');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
  });

  it('in local mode refuses requests whose Host is not loopback (DNS rebinding)', async () => {
    server = await startTestServer();
    const port = new URL(server.url).port;
    expect((await get('/api/labs', { host: `attacker.example:${port}` })).status).toBe(403);
    expect((await get('/api/labs', { host: `localhost:${port}` })).status).toBe(200);
  });

  it('in token mode turns ?token= into an httpOnly cookie, and refuses requests without it', async () => {
    server = await startTestServer({ token: 'sekret-token' });
    expect((await get('/api/labs')).status).toBe(401);
    expect((await get('/api/labs?token=wrong')).status).toBe(401);
    const login = await get('/lab/welcome?token=sekret-token&learner=amy');
    expect(login.status).toBe(303);
    expect(login.headers.location).toBe('/lab/welcome?learner=amy');
    const cookie = String(login.headers['set-cookie']);
    expect(cookie).toContain('labrunner_token=sekret-token');
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect((await get('/api/labs', { cookie: 'labrunner_token=sekret-token' })).status).toBe(200);
  });

  it('answers malformed requests with an error, and keeps serving', async () => {
    server = await startTestServer();
    expect((await get('/api/labs/%E0%A4%A')).status).toBeGreaterThanOrEqual(400);
    expect((await get('/api/labs/' + 'a'.repeat(5000))).status).toBe(404);
    expect((await get('/api/labs')).status).toBe(200);
  });
});
