import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT, BIN } from '../../cli/paths.ts';
import { EmbeddedSandbox } from '../../server/aws/index.ts';
import { LearnerIdentities, removeIdentities } from '../../server/confinement/identities.ts';
import { EventsClient, valueOf } from '../helpers/events-client.ts';
import { TerminalClient } from '../helpers/terminal-client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { canConfine } from './harness.ts';

const LABS = path.join(PROJECT_ROOT, 'test', 'isolation', 'fixtures', 'labs');
const BASE = 'localhost/labrunner/busybox-httpd';
const NOT_ALLOWED = 'is not allowed in this classroom';

/**
 * A confined learner's `docker run` on a whole server: allowed in a lab whose front matter says `containers: true`
 * (fixture `containers`), never with host access, and refused in a lab that does not declare it (`confined`).
 */
describe.skipIf(!canConfine)('containers for a confined learner, where the lab declares them', () => {
  let dataDir: string;
  let sandbox: EmbeddedSandbox;
  let server: TestServer;
  const open: Array<{ close(): unknown }> = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'labrunner-iso-run-'));
    sandbox = await EmbeddedSandbox.start({ bin: BIN, dataDir: path.join(dataDir, 'sandbox'), port: 0, log: () => undefined });
    server = await startTestServer({ labsDir: LABS, dataDir, isolation: 'on', aws: sandbox });
  }, 120_000);
  afterAll(async () => {
    for (const c of open) await c.close();
    // Ends the shells, then the learners' engines: their containers are removed with them.
    await server?.dispose();
    await sandbox?.dispose();
    const identities = await LearnerIdentities.open(path.join(dataDir, 'isolation'));
    await removeIdentities(identities.all());
    rmSync(dataDir, { recursive: true, force: true });
  }, 120_000);

  async function shell(learner: string, lab: string): Promise<Shell> {
    const t = await TerminalClient.connect(server.url, { learner, lab, cols: 200 });
    open.push({ close: () => t.close() });
    await t.waitForMessage('attached');
    return new Shell(t);
  }

  it('runs a container in that lab: docker run --rm prints its output and returns its exit code', async () => {
    const t = await shell('dora', 'containers');
    const hi = await t.run(`docker run --rm ${BASE} sh -c 'echo hi' 2>&1`, 120_000);
    expect(hi, hi.output).toEqual({ output: 'hi', exitCode: 0 });
    // --rm: gone once docker run has returned.
    expect((await t.run('docker ps -a -q | wc -l')).output).toBe('0');
    expect((await t.run(`docker run --rm ${BASE} sh -c 'exit 3'`, 60_000)).exitCode).toBe(3);
    // Without --rm docker waits for the exit, not the removal (another answer of the engine's, streamed the same way).
    expect(await t.run(`docker run --name kept ${BASE} sh -c 'echo kept; exit 4' 2>&1`, 60_000)).toEqual({ output: 'kept', exitCode: 4 });
    expect((await t.run('docker rm kept')).exitCode).toBe(0);
  }, 240_000);

  it('runs one in the background with a published port (ps, logs, rm -f), and the lab\'s shell check sees it', async () => {
    const t = await shell('dora', 'containers');
    const started = await t.run(`docker run -d -p 80 ${BASE} 2>&1`, 60_000);
    expect(started.exitCode, started.output).toBe(0);
    const id = started.output.split('\n').at(-1)!;
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect((await t.run('docker ps --format "{{.ID}} {{.Image}}"')).output).toContain(`${id.slice(0, 12)} ${BASE}`);
    const port = (await t.run(`docker port ${id} 80/tcp | head -1 | sed 's/.*://'`)).output;
    expect(port).toMatch(/^\d+$/);
    const page = await t.run(`curl -s -o /dev/null -w '%{http_code}' --retry 5 --retry-connrefused --retry-delay 1 http://127.0.0.1:${port}/`, 30_000);
    expect(page.output).toBe('200');
    expect((await t.run(`docker logs ${id} 2>&1`)).output).toMatch(/response:200/);
    expect((await t.run(`docker exec ${id} true 2>&1`)).output).toContain(`docker exec ${NOT_ALLOWED}`);

    // `shell` checks of this lab run as the learner with the same docker: they see the container.
    const events = await EventsClient.connect(server.url, 'dora');
    open.push(events);
    const checked = valueOf(await events.check('containers', 'run'));
    expect(checked.steps.run!.status, JSON.stringify(checked.steps.run)).toBe('passed');

    expect((await t.run(`docker rm -f ${id}`, 60_000)).exitCode).toBe(0);
    expect((await t.run('docker ps -a -q | wc -l')).output).toBe('0');
  }, 240_000);

  it('runs an interactive container in the learner\'s terminal (docker run -it … sh)', async () => {
    const t = await shell('dora', 'containers');
    t.terminal.type(`docker run -it --rm ${BASE} sh\r`);
    await t.terminal.waitFor('htdocs # ', 60_000);
    t.terminal.type('echo "in""side"; exit\r');
    // Typing before the learner's prompt is back would go to the container's stdin as it closes.
    await t.terminal.waitFor(/inside\r\n[\s\S]*learner[\s\S]*\$ /, 30_000);
    // Back in the learner's own shell, which goes on.
    expect(await t.run('echo "back"')).toEqual({ output: 'back', exitCode: 0 });
  }, 120_000);

  it('still refuses anything that reaches the host, with the classroom message', async () => {
    const t = await shell('dora', 'containers');
    for (const flags of ['--privileged', '-v /:/host', '--network host', '--pid host', '--cap-add SYS_ADMIN', '-p 80:80']) {
      const r = await t.run(`docker run --rm ${flags} ${BASE} true 2>&1`, 60_000);
      expect(r.exitCode, flags).not.toBe(0);
      expect(r.output, flags).toContain(NOT_ALLOWED);
    }
  }, 120_000);

  it('refuses docker run in a lab that does not declare containers, and that shell cannot reach the gate that allows them', async () => {
    const t = await shell('dora', 'confined');
    const r = await t.run(`docker run --rm ${BASE} sh -c 'echo hi' 2>&1`, 60_000);
    expect(r.exitCode).not.toBe(0);
    expect(r.output).toContain(`docker run (containers) ${NOT_ALLOWED}`);
    expect((await t.run('docker ps 2>&1')).output).toContain(NOT_ALLOWED);
    // The other gate's socket is not in this lab's sandbox at all.
    const other = path.join(dataDir, 'docker-gate', 'dora.containers', 'docker.sock');
    const sneak = await t.run(`DOCKER_HOST=unix://${other} docker run --rm ${BASE} true 2>&1`, 60_000);
    expect(sneak.exitCode).not.toBe(0);
    expect(sneak.output).toMatch(/Cannot connect|no such file/i);
    // Images are the learner's own in both labs (one engine): the base is there.
    expect((await t.run(`docker image inspect --format ok ${BASE}`)).output).toBe('ok');
  }, 120_000);
});

/** A learner's terminal driven as a test does: runs commands and reads their output and exit status. */
class Shell {
  private _counter = 0;
  constructor(readonly terminal: TerminalClient) {}

  async run(command: string, timeoutMs = 30_000): Promise<{ output: string; exitCode: number }> {
    const id = `${++this._counter}${Math.random().toString(36).slice(2, 8)}`;
    // The markers are built by the shell (printf), so the echoed command line never matches them.
    this.terminal.type(`${command}; printf '\\n<%s%s>%s<%s%s>\\n' begin ${id} "$?" end ${id}\r`);
    const done = new RegExp(`<begin${id}>(\\d+)<end${id}>`);
    await this.terminal.waitFor(done, timeoutMs);
    const text = this.terminal.text;
    const m = done.exec(text)!;
    const echoEnd = text.lastIndexOf(`end ${id}`);
    const output = text
      .slice(text.indexOf('\n', echoEnd) + 1, m.index)
      .replace(/\x1b\[[0-9;?]*[a-zA-Z]/g, '')
      .replace(/\r/g, '')
      .trim();
    return { output, exitCode: Number(m[1]) };
  }
}
