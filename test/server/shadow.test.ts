import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import type { TerminalServerMessage } from '../../server/core/protocol.ts';
import { OBSERVER_MAX_BUFFERED } from '../../server/transport/terminal-channel.ts';
import { workspacePath } from '../../server/workspace/index.ts';
import { startPtyHarness, type PtyHarness } from '../helpers/pty-harness.ts';
import { TerminalClient, type TerminalClientOptions } from '../helpers/terminal-client.ts';

let harness: PtyHarness | undefined;
const clients: TerminalClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  const host = harness?.ptyHost;
  await harness?.dispose();
  harness = undefined;
  expect(host?.sessionCount ?? 0).toBe(0);
});

async function student(opts: TerminalClientOptions = {}): Promise<TerminalClient> {
  const t = await TerminalClient.connect(harness!.url, { learner: 'stu', ...opts });
  clients.push(t);
  await t.waitForMessage('attached');
  return t;
}

/** An instructor's read-only view of stu's terminal (the classroom server decides who may open one). */
async function observer(opts: TerminalClientOptions = {}): Promise<TerminalClient> {
  const t = await TerminalClient.connect(harness!.url, { learner: 'stu', query: { shadow: '1' }, ...opts });
  clients.push(t);
  return t;
}

/** Resolves once the server has handled every frame this client sent before (ws answers pings in order). */
function processed(t: TerminalClient): Promise<void> {
  return new Promise((resolve) => {
    t.ws.once('pong', () => resolve());
    t.ws.ping();
  });
}

const sizeMessages = (t: TerminalClient) => t.messages.filter((m): m is Extract<TerminalServerMessage, { type: 'size' }> => m.type === 'size');

describe('shadowing a terminal', () => {
  it("shows the student's screen on attach, then their output live", async () => {
    harness = await startPtyHarness();
    const s = await student();
    s.type('echo "before-""watch"\r');
    await s.waitFor('before-watch\r\n');

    const o = await observer();
    await o.waitForMessage('attached');
    await o.waitFor('before-watch'); // the replayed screen
    s.type('echo "live-""output"\r');
    await o.waitFor('live-output\r\n');
    expect(harness.ptyHost.sessionCount).toBe(1);
  });

  it("learns the student's size and follows it, and never resizes the student's terminal", async () => {
    harness = await startPtyHarness();
    const s = await student({ cols: 100, rows: 30 });
    const o = await observer({ cols: 40, rows: 10 });
    expect(await o.waitForMessage('attached')).toMatchObject({ cols: 100, rows: 30 });

    s.resize(120, 40);
    await expect.poll(() => sizeMessages(o).at(-1)).toEqual({ type: 'size', cols: 120, rows: 40 });
    o.resize(50, 12);
    o.send({ type: 'restart' });
    await processed(o);
    s.type('stty size\r');
    await s.waitFor('40 120');
    expect(harness.ptyHost.sessionCount).toBe(1);
  });

  it('types into the shell only while the student allows it', async () => {
    harness = await startPtyHarness();
    const s = await student();
    const o = await observer();
    await o.waitForMessage('attached');

    o.type('echo "typed-""by-observer"\r');
    await processed(o);
    s.type('echo "marker-""one"\r');
    await s.waitFor('marker-one\r\n');
    expect(s.text).not.toContain('typed-by-observer');
    expect(s.text).not.toContain('typed-""by-observer');

    harness.canWrite = true; // the student accepted the instructor's write request
    o.type('echo "allowed-""write"\r');
    await s.waitFor('allowed-write\r\n');
    await o.waitFor('allowed-write\r\n');

    harness.canWrite = false; // and took it back
    o.type('echo "revoked-""write"\r');
    await processed(o);
    s.type('echo "marker-""two"\r');
    await s.waitFor('marker-two\r\n');
    expect(s.text).not.toContain('revoked');
  });

  it('never starts a shell for the student: with none running it says NoShell', async () => {
    harness = await startPtyHarness();
    const o = await observer({ learner: 'absent' });
    expect(await o.waitForMessage('error')).toMatchObject({ type: 'error', code: 'NoShell' });
    await new Promise<void>((resolve) => (o.ws.readyState === o.ws.CLOSED ? resolve() : o.ws.once('close', () => resolve())));
    expect(harness.ptyHost.sessionCount).toBe(0);
    expect(existsSync(workspacePath(harness.dataDir, 'absent', 'welcome'))).toBe(false);
  });

  it('tells the observer when the student exits, and ignores its request to restart', async () => {
    harness = await startPtyHarness();
    const s = await student();
    const o = await observer();
    await o.waitForMessage('attached');
    s.type('exit 4\r');
    expect(await o.waitForMessage('exit')).toMatchObject({ exitCode: 4 });
    o.send({ type: 'restart' });
    await processed(o);
    expect(harness.ptyHost.sessionCount).toBe(0);
  });

  it('a stalled observer never slows the student, the server holds a bounded backlog for it, and it catches up', async () => {
    harness = await startPtyHarness();
    const s = await student();
    const o = await observer({ ack: false });
    await o.waitForMessage('attached');
    await o.waitFor('# ');
    // The instructor's connection stops reading: the kernel's buffers fill, then the server's.
    const clientSocket = (o.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    clientSocket.pause();
    const serverSide = harness.observerSockets.at(-1) as WebSocket;
    let held = 0;
    const sample = setInterval(() => (held = Math.max(held, serverSide.bufferedAmount)), 5);

    try {
      // The student's command runs to the end although nobody reads the observer's connection...
      s.type('seq 1 200000; echo "seq-""done"\r');
      await s.waitFor('seq-done\r\n', 60_000);
      // ...and so does a flood 5× larger than what the kernel can buffer for the observer, while what the
      // server keeps for it stays within the bound, one 256 KB frame and one screen (a few hundred KB).
      s.type('head -c 20000000 /dev/zero | base64 -w 100; echo "flood-""done"\r');
      await s.waitFor('flood-done\r\n', 60_000);
    } finally {
      clearInterval(sample);
    }
    expect(s.bytesReceived).toBeGreaterThan(27_000_000);
    expect(held).toBeGreaterThan(0); // the observer really was backed up
    expect(held).toBeLessThan(OBSERVER_MAX_BUFFERED + 256 * 1024 + 512 * 1024);

    // Reading again, it drains, gets a fresh screen (full reset first) and follows live output again.
    clientSocket.resume();
    await o.waitFor('flood-done', 30_000);
    expect(o.text).toContain('\x1bc');
    s.type('echo "after-""catch-up"\r');
    await o.waitFor('after-catch-up\r\n');
    expect(o.bytesReceived).toBeLessThan(s.bytesReceived / 2);
  });
});
