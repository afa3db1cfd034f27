import { mkdirSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { CommandEvent } from '../../server/pty/index.ts';
import { workspacePath } from '../../server/workspace/index.ts';
import { startPtyHarness, type PtyHarness } from '../helpers/pty-harness.ts';
import { TerminalClient } from '../helpers/terminal-client.ts';

let harness: PtyHarness | undefined;
const clients: TerminalClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  const host = harness?.ptyHost;
  await harness?.dispose();
  harness = undefined;
  expect(host?.sessionCount ?? 0).toBe(0);
});

async function open(learner = 'stu'): Promise<TerminalClient> {
  const t = await TerminalClient.connect(harness!.url, { learner });
  clients.push(t);
  await t.waitForMessage('attached');
  return t;
}

function record(): CommandEvent[] {
  const events: CommandEvent[] = [];
  harness!.ptyHost.onCommand((e) => events.push(e));
  return events;
}

/** Types a line and waits for the marker it prints, so the next line goes to a fresh prompt. */
async function run(t: TerminalClient, line: string, marker: string): Promise<void> {
  t.type(`${line}\r`);
  await t.waitFor(marker);
}

describe('command capture', () => {
  it('records each command with its exit status, once, and the terminal never shows the record', async () => {
    harness = await startPtyHarness({ recordCommands: true });
    const events = record();
    const t = await open();
    const before = Date.now();
    t.type('true\r');
    await expect.poll(() => events.length).toBe(1);
    t.type('false\r');
    await expect.poll(() => events.length).toBe(2);
    await run(t, "echo 'a;b'", 'a;b\r\n');
    await run(t, 'echo "héllo ✓ 🐳 100%"', 'héllo ✓ 🐳 100%\r\n');
    t.type('\r'); // an empty Enter: no command, though the prompt hook runs again
    await run(t, 'echo la""st', 'last\r\n');
    await expect.poll(() => events.length).toBe(5);

    expect(events.map(({ command, exitCode }) => ({ command, exitCode }))).toEqual([
      { command: 'true', exitCode: 0 },
      { command: 'false', exitCode: 1 },
      { command: "echo 'a;b'", exitCode: 0 },
      { command: 'echo "héllo ✓ 🐳 100%"', exitCode: 0 },
      { command: 'echo la""st', exitCode: 0 },
    ]);
    for (const e of events) {
      expect(e.key).toEqual({ learnerId: 'stu', labId: 'welcome' });
      expect(e.at).toBeGreaterThanOrEqual(before);
    }
    expect(t.text).not.toContain('\x1b]6973');
    expect(t.text).not.toContain('6973;cmd');

    // The screen replayed to a second tab was mirrored from the stripped output too.
    const again = await open();
    await again.waitFor('last');
    expect(again.text).not.toContain('6973;cmd');
  });

  it('records multi-line commands and the exit status of a failing pipeline', async () => {
    harness = await startPtyHarness({ recordCommands: true });
    const events = record();
    const t = await open();
    t.type('for i in 1 2\r');
    t.type('do echo "n$i"; done\r');
    await t.waitFor('n2\r\n');
    t.type('(exit 42)\r');
    await expect.poll(() => events.length).toBe(2);
    expect(events.map(({ command, exitCode }) => ({ command, exitCode }))).toEqual([
      { command: 'for i in 1 2; do echo "n$i"; done', exitCode: 0 },
      { command: '(exit 42)', exitCode: 42 },
    ]);
  });

  it("keeps the learner's own PROMPT_COMMAND, PS1, $? and $_ working", async () => {
    harness = await startPtyHarness({ recordCommands: true });
    const home = workspacePath(harness.dataDir, 'own', 'welcome');
    mkdirSync(home, { recursive: true });
    writeFileSync(`${home}/.bashrc`, `PROMPT_COMMAND='echo "theirs saw $?"'\nPS1='own-prompt> '\n`);
    const events = record();
    const t = await open('own');
    await t.waitFor('own-prompt> ');
    await run(t, '(exit 7)', 'theirs saw 7');
    await run(t, 'echo one two', 'one two\r\n');
    await run(t, 'echo "last arg: $_"', 'last arg: two');
    await expect.poll(() => events.length).toBe(3);
    expect(events.map((e) => e.command)).toEqual(['(exit 7)', 'echo one two', 'echo "last arg: $_"']);
    expect(events[0]!.exitCode).toBe(7);
  });

  it('does not report commands from an earlier session when the shell starts with a history', async () => {
    harness = await startPtyHarness({ recordCommands: true });
    const home = workspacePath(harness.dataDir, 'hist', 'welcome');
    mkdirSync(home, { recursive: true });
    writeFileSync(`${home}/.bash_history`, 'echo from-yesterday\n');
    const events = record();
    const t = await open('hist');
    await run(t, 'echo to""day', 'today\r\n');
    await expect.poll(() => events.length).toBe(1);
    expect(events[0]!.command).toBe('echo to""day');
  });

  it('records nothing for a shell that was not asked to, and leaves its prompt hook alone', async () => {
    harness = await startPtyHarness({ recordCommands: false });
    const events = record();
    const t = await open();
    await run(t, 'echo "pc=[${PROMPT_COMMAND-}]"', 'pc=[]');
    await run(t, 'echo do""ne', 'done\r\n');
    expect(events).toEqual([]);
  });
});
