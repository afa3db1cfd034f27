import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../cli/paths.ts';
import { LearnerIdentities, removeIdentities } from '../../server/confinement/identities.ts';
import { EventsClient, valueOf } from '../helpers/events-client.ts';
import { TerminalClient } from '../helpers/terminal-client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { canConfine } from './harness.ts';

const LABS = path.join(PROJECT_ROOT, 'test', 'isolation', 'fixtures', 'labs');

/** The whole server with `isolation: 'on'`: shells and `shell` checks run as each learner's own user. */
describe.skipIf(!canConfine)('a server with learner isolation on', () => {
  let dataDir: string;
  let server: TestServer;
  const open: Array<{ close(): unknown }> = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'labrunner-iso-server-'));
    server = await startTestServer({ labsDir: LABS, dataDir, isolation: 'on' });
  });
  afterAll(async () => {
    for (const c of open) await c.close();
    await server?.dispose();
    // The OS users this data dir made go with it.
    const identities = await LearnerIdentities.open(path.join(dataDir, 'isolation'));
    await removeIdentities(identities.all());
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function shell(learner: string): Promise<TerminalClient> {
    const t = await TerminalClient.connect(server.url, { learner, lab: 'confined', cols: 200 });
    open.push({ close: () => t.close() });
    await t.waitForMessage('attached');
    return t;
  }

  it('gives each learner their own user, and their checks run as that user', async () => {
    const ann = await shell('ann');
    const bob = await shell('bob');
    ann.type('echo "uid=$(id -u)"; echo hello > note.txt; echo "do""ne"\r');
    await ann.waitFor('done\r\n', 30_000);
    bob.type('echo "uid=$(id -u)"; cat ../../ann/confined/note.txt; echo "do""ne"\r');
    await bob.waitFor('done\r\n', 30_000);
    const annUid = Number(/uid=(\d+)/.exec(ann.text)?.[1]);
    const bobUid = Number(/uid=(\d+)/.exec(bob.text)?.[1]);
    expect(annUid).toBeGreaterThanOrEqual(70_000);
    expect(bobUid).toBeGreaterThanOrEqual(70_000);
    expect(bobUid).not.toBe(annUid);
    expect(bob.text).not.toMatch(/^hello\r?$/m);

    const annEvents = await EventsClient.connect(server.url, 'ann');
    open.push(annEvents);
    const checked = valueOf(await annEvents.check('confined', 'note'));
    expect(checked.steps.note!.status, JSON.stringify(checked.steps.note)).toBe('passed');
  });

  it('never writes through a link a learner planted in their workspace', async () => {
    // A learner who replaces their .bashrc with a link to a file they cannot write gets nothing written there.
    const carl = await shell('carl');
    carl.type('rm -f .bashrc && ln -s /etc/labrunner-planted .bashrc && exit\r');
    await new Promise((r) => setTimeout(r, 500));
    carl.close();
    const again = await shell('carl');
    again.type('echo "ok""ay"\r');
    await again.waitFor('okay\r\n', 30_000);
    expect(existsSync('/etc/labrunner-planted')).toBe(false);
  });
});
