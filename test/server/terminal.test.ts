import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SHELL_NICENESS } from '../../server/pty/index.ts';
import { TerminalClient } from '../helpers/terminal-client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer | undefined;
const clients: TerminalClient[] = [];

async function connect(opts: Parameters<typeof TerminalClient.connect>[1] = {}): Promise<TerminalClient> {
  const client = await TerminalClient.connect(server!.url, opts);
  clients.push(client);
  await client.waitForMessage('attached');
  return client;
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  const host = server?.ptyHost;
  await server?.dispose();
  server = undefined;
  // Leak check: disposing the server must end every shell it started.
  expect(host?.sessionCount ?? 0).toBe(0);
});

describe('the terminal', () => {
  it('runs a real bash in the learner workspace: typing `echo hi` shows hi', async () => {
    server = await startTestServer();
    const t = await connect({ learner: 'alice' });
    t.type('echo "h""i from $HOME"\r');
    const home = path.join(server.dataDir, 'workspaces', 'alice', 'welcome');
    await t.waitFor(`hi from ${home}`);
  });

  it('copies the lab files into the workspace and the shell starts there', async () => {
    server = await startTestServer();
    const t = await connect({ learner: 'bob' });
    t.type('cat hello.txt; pwd\r');
    await t.waitFor('Hello from your labrunner workspace.');
    await t.waitFor(path.join(server.dataDir, 'workspaces', 'bob', 'welcome'));
  });

  it('gives the pty the size the browser asks for', async () => {
    server = await startTestServer();
    const t = await connect({ cols: 100, rows: 30 });
    t.type('stty size\r');
    await t.waitFor('30 100');
    t.resize(132, 43);
    t.type('stty size\r');
    await t.waitFor('43 132');
  });

  it('keeps the shell alive across a dropped connection and replays the screen on reattach', async () => {
    server = await startTestServer();
    const first = await connect({ learner: 'carol' });
    first.type('echo before-drop; sleep 2; echo done-after-sleep\r');
    await first.waitFor('before-drop');
    await first.close();

    const second = await connect({ learner: 'carol' });
    // The earlier output comes back from the server-side screen mirror...
    await second.waitFor('before-drop');
    // ...and the command that was running keeps running and finishes.
    await second.waitFor('done-after-sleep');
    expect(server.ptyHost.sessionCount).toBe(1);
  });

  it('gives different learners different shells and workspaces', async () => {
    server = await startTestServer();
    const a = await connect({ learner: 'ann' });
    const b = await connect({ learner: 'ben' });
    a.type('echo secret-of-ann > mine.txt; echo written\r');
    await a.waitFor('written');
    b.type('pwd; ls ../ 2>&1; cat ../../ann/welcome/mine.txt 2>/dev/null | wc -c\r');
    await b.waitFor(path.join(server.dataDir, 'workspaces', 'ben', 'welcome'));
    expect(b.text).not.toContain('secret-of-ann');
    expect(server.ptyHost.sessionCount).toBe(2);
    expect(existsSync(path.join(server.dataDir, 'workspaces', 'ann', 'welcome', 'mine.txt'))).toBe(true);
  });

  it('does not pass the server environment (such as its access token) to the shell', async () => {
    process.env.LABRUNNER_TOKEN_PROBE = 'must-not-leak';
    server = await startTestServer({ host: '127.0.0.1', token: 'tok-123' });
    const t = await connect({ headers: { authorization: 'Bearer tok-123' } });
    t.type('env | grep -c -e must-not-leak -e tok-123; echo end-of-env\r');
    await t.waitFor(/[^0-9]0\r\nend-of-env/);
    delete process.env.LABRUNNER_TOKEN_PROBE;
  });

  it('tells the browser when the shell exits and starts a new one on request', async () => {
    server = await startTestServer();
    const t = await connect();
    t.type('exit 3\r');
    const exit = await t.waitForMessage('exit');
    expect(exit).toMatchObject({ type: 'exit', exitCode: 3 });
    t.messages.length = 0;
    t.send({ type: 'restart' });
    await t.waitForMessage('attached');
    t.type('echo "re""born"\r');
    await t.waitFor('reborn');
  });

  it("runs the learner's shell and what it starts below the server's CPU priority", async () => {
    server = await startTestServer();
    const t = await connect();
    t.type('echo "shell=$(nice) server=$(ps -o ni= -p $PPID)"\r');
    const serverNice = os.getPriority();
    await t.waitFor(new RegExp(`shell=${Math.min(19, serverNice + SHELL_NICENESS)} server= *${serverNice}\\r\\n`));
  });

  it('ends a shell nobody is attached to after the idle timeout', async () => {
    server = await startTestServer({ idleTimeoutMs: 300 });
    const t = await connect();
    t.type('echo up\r');
    await t.waitFor('up');
    expect(server.ptyHost.sessionCount).toBe(1);
    await t.close();
    await expect.poll(() => server!.ptyHost.sessionCount, { timeout: 5000 }).toBe(0);
  });

  it('ignores malformed control frames and oversized input without dropping the connection', async () => {
    server = await startTestServer();
    const t = await connect();
    t.send('not json');
    t.send({ type: 'resize', cols: -1, rows: 1e9 });
    t.send({ type: 'ack', bytes: 'lots' });
    t.ws.send(Buffer.alloc(200 * 1024, 0x61), { binary: true });
    t.type('echo "still""-alive"\r');
    await t.waitFor('still-alive');
  });
});

describe('terminal access', () => {
  it('refuses a terminal opened from another web origin', async () => {
    server = await startTestServer();
    await expect(TerminalClient.connect(server.url, { origin: 'http://evil.example' })).rejects.toThrow('refused: 403');
  });

  it('refuses learner and lab ids that are not plain names', async () => {
    server = await startTestServer();
    await expect(TerminalClient.connect(server.url, { learner: '../../etc' })).rejects.toThrow('refused: 400');
    await expect(TerminalClient.connect(server.url, { lab: 'no-such-lab' })).rejects.toThrow('refused: 404');
  });

  it('in token mode refuses a terminal without the token', async () => {
    server = await startTestServer({ token: 'right-token' });
    await expect(TerminalClient.connect(server.url)).rejects.toThrow('refused: 401');
    await expect(TerminalClient.connect(server.url, { headers: { authorization: 'Bearer wrong' } })).rejects.toThrow('refused: 401');
    const ok = await connect({ headers: { authorization: 'Bearer right-token' } });
    expect(ok.messages[0]).toMatchObject({ type: 'attached' });
  });
});

