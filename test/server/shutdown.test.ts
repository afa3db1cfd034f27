import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { PROJECT_ROOT } from '../../cli/paths.ts';
import { CliServer } from '../helpers/cli-server.ts';
import { EventsClient, valueOf } from '../helpers/events-client.ts';
import { TerminalClient } from '../helpers/terminal-client.ts';

const LABS = path.join(PROJECT_ROOT, 'test', 'fixtures', 'labs');

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** SIGTERM (what a service manager sends) ends the server cleanly: shells, sockets, and the database. */
describe('graceful shutdown', () => {
  let server: CliServer | undefined;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'labrunner-shutdown-'));
  afterAll(async () => {
    await server?.stop('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('ends every shell and connection, keeps every recorded check, and exits 0', async () => {
    server = await CliServer.start(['--labs-dir', LABS], { dataDir });
    const t = await TerminalClient.connect(server.url, { learner: 'ann', lab: 'graded' });
    await t.waitForMessage('attached');
    t.type('echo "pid=$$"; echo 42 > answer.txt; sleep 1000\r');
    await t.waitFor(/pid=\d+/);
    const bashPid = Number(/pid=(\d+)/.exec(t.text)![1]);
    const events = await EventsClient.connect(server.url, 'ann');
    expect(valueOf(await events.check('graded', 'answer')).steps.answer!.status).toBe('passed');
    const socketClosed = new Promise<void>((resolve) => events.socket.once('disconnect', () => resolve()));
    const terminalClosed = new Promise<void>((resolve) => t.ws.once('close', () => resolve()));

    const code = await server.stop('SIGTERM');
    server = undefined;
    expect(code).toBe(0);
    await Promise.all([socketClosed, terminalClosed]);
    // The shell and what it was running are gone, not orphaned.
    expect(alive(bashPid)).toBe(false);
    // The database was closed cleanly: its last connection checkpointed and removed the write-ahead log.
    expect(existsSync(path.join(dataDir, 'labrunner.db-wal'))).toBe(false);
    // And the check recorded before the signal is in it.
    const db = new Database(path.join(dataDir, 'labrunner.db'), { readonly: true });
    try {
      const row = db.prepare("SELECT status FROM step_progress WHERE learner_id = 'ann' AND step_id = 'answer'").get() as { status: string };
      expect(row.status).toBe('passed');
    } finally {
      db.close();
    }
    events.close();
  });
});
