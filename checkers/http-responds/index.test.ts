import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckerDefinition } from '../../server/core/checks.ts';
import { runChecker } from '../lib/run-for-test.ts';
import { httpResponds } from './index.ts';

const checker = httpResponds as CheckerDefinition;
const long = `<html><body>${'Welcome to nginx! '.repeat(20)}</body></html>`;

describe('http.responds', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/') return res.end('<h1>Hello From ECS</h1>\n');
      if (req.url === '/nginx') return res.end(long);
      if (req.url === '/hang') return; // never answers
      res.statusCode = 404;
      res.end('Not Found');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('passes when the page answers 2xx with the text (by port or by url)', async () => {
    expect(await runChecker(checker, { port, contains: 'Hello From ECS' })).toMatchObject({
      status: 'pass',
      message: `The page at port ${port} (http://127.0.0.1:${port}/) answered 200 with "Hello From ECS".`,
    });
    expect((await runChecker(checker, { url: `http://127.0.0.1:${port}/missing`, status: 404 })).status).toBe('pass');
  });

  it('quotes the first ~100 characters of a page without the text', async () => {
    const r = await runChecker(checker, { port, path: '/nginx', contains: 'Hello From ECS' });
    expect(r.message).toBe(`The page at port ${port} (http://127.0.0.1:${port}/nginx) does not contain "Hello From ECS".`);
    expect(r.status === 'fail' && r.hint).toBe(`It starts with: "${long.slice(0, 100)}…"`);
  });

  it('reports a wrong status with what the page said', async () => {
    const r = await runChecker(checker, { url: `http://127.0.0.1:${port}/nope` });
    expect(r).toMatchObject({ status: 'fail', message: `The page at http://127.0.0.1:${port}/nope answered 404.`, hint: 'It said: "Not Found". Check the path and what your server serves there.' });
  });

  it('names the port it tried when nothing listens there', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const free = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const r = await runChecker(checker, { port: free });
    expect(r.message).toBe(`The page at port ${free} (http://127.0.0.1:${free}/) is not reachable (ECONNREFUSED).`);
    expect(r.status === 'fail' && r.hint).toContain(`publishing port ${free}`);
  });

  it('fails (not errors) when the page never answers, within its own timeout', async () => {
    const r = await runChecker(checker, { port, path: '/hang', timeoutSeconds: 0.3 });
    expect(r).toMatchObject({ status: 'fail', message: `The page at port ${port} (http://127.0.0.1:${port}/hang) did not answer within 0.3 s.` });
  });

  it('needs exactly one of url, port and task', () => {
    expect(checker.params.parse({ contains: 'x' })).toMatchObject({ ok: false, problems: [{ message: 'give exactly one of url, port or task' }] });
    expect(checker.params.parse({ port: 80, task: { cluster: 'c' } }).ok).toBe(false);
    expect(checker.params.parse({ task: { cluster: 'c', family: 'f', containerPort: 80 } }).ok).toBe(true);
    expect(checker.params.parse({ url: 'ftp://x/', port: 80 }).ok).toBe(false);
  });
});
