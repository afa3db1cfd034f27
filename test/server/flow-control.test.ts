import { afterEach, describe, expect, it } from 'vitest';
import { CliServer } from '../helpers/cli-server.ts';
import { TerminalClient } from '../helpers/terminal-client.ts';

/**
 * The flood a learner can cause with one command. 37.5 MB of random bytes is 50 MB of base64 output.
 * Bound stated in docs/architecture.md: with a client far slower than the shell, the server's resident
 * memory grows by less than 40 MB during the burst — output waits in the pty, not in the server.
 */
const FLOOD = 'head -c 37500000 /dev/urandom | base64 -w 100; echo flood-finished\r';
const FLOOD_BYTES = 50_000_000;
const GROWTH_BOUND = 40 * 1024 * 1024;

let server: CliServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

describe('terminal flow control', () => {
  it('keeps server memory bounded while a slow client receives a 50 MB burst', async () => {
    server = await CliServer.start();
    const slow = await TerminalClient.connect(server.url, { ack: { delayMs: 25 } });
    await slow.waitForMessage('attached');
    slow.type('echo ready\r');
    await slow.waitFor('ready');
    const before = server.memory().rss;
    server.resetPeak();

    slow.type(FLOOD);
    // Let the shell outrun the client for a while: without flow control everything would pile up in the server.
    let peak = 0;
    for (let i = 0; i < 40; i++) {
      await new Promise((r) => setTimeout(r, 100));
      peak = Math.max(peak, server.memory().rss);
    }
    expect(slow.bytesReceived).toBeLessThan(FLOOD_BYTES / 2); // the client really was slow
    expect(peak - before).toBeLessThan(GROWTH_BOUND);
    // Stop it: Ctrl-C reaches the shell at once even while its output is paused, and the prompt returns.
    slow.type('\x03');
    slow.type('echo after-interrupt\r');
    await slow.waitFor(/after-interrupt[\s\S]*after-interrupt/, 30_000);
    expect(slow.text).not.toContain('flood-finished\r\n');
    await slow.close();
  });

  it('delivers every byte, in order, to a client that keeps up', async () => {
    server = await CliServer.start();
    const t = await TerminalClient.connect(server.url);
    await t.waitForMessage('attached');
    t.type('seq 1 200000; echo "seq""-done"\r');
    await t.waitFor('seq-done', 60_000);
    expect(t.bytesReceived).toBeGreaterThan(1_288_894); // the bytes of `seq 1 200000` with CRLF line ends
    const lastLines = Array.from({ length: 5000 }, (_, i) => String(195_001 + i)).join('\r\n');
    expect(t.text).toContain(lastLines);
    await t.close();
  });
});
