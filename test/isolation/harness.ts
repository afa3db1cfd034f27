import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EmbeddedSandbox, awsShellVariables, writeAwsWrapper } from '../../server/aws/index.ts';
import { Confinement, type LearnerLimits } from '../../server/confinement/index.ts';
import { PtyHost, type ITerminalSink, type PtySession } from '../../server/pty/index.ts';
import { bashSpec, prepareWorkspace, shellEnvironment, workspacePath } from '../../server/workspace/index.ts';
import { BIN, LABS_DIR } from '../../cli/paths.ts';

/** What confinement needs on this machine (scripts/setup-system installs it; the tests run as root in CI). */
export const canConfine =
  process.getuid?.() === 0 && ['/usr/bin/bwrap', '/usr/bin/setpriv', '/usr/bin/podman', '/usr/local/bin/docker', '/usr/bin/aws'].every((p) => existsSync(p));

/** A shell as a test drives it: type, and wait for output. */
export interface TestShell {
  type(text: string): void;
  waitFor(pattern: string | RegExp, timeoutMs?: number): Promise<void>;
  /** Runs a command and resolves with what it printed (between two unique markers) and its exit code. */
  run(command: string, timeoutMs?: number): Promise<{ output: string; exitCode: number }>;
  readonly text: string;
  readonly session: PtySession;
}

export interface IsolatedShells {
  readonly dataDir: string;
  readonly confinement: Confinement;
  readonly sandbox: EmbeddedSandbox | undefined;
  shell(learnerId: string, labId?: string): Promise<TestShell>;
  /** Environment of a learner's checks (what the server gives checkers). */
  envOf(learnerId: string, labId?: string): Promise<Record<string, string>>;
  dispose(): Promise<void>;
}

/**
 * Confined shells the way the server makes them (PtyHost + Confinement + the workspace and AWS environment),
 * with a real sandbox when asked. Removes every OS user and disk it made on dispose.
 */
export async function startIsolatedShells(opts: { sandbox?: boolean; limits?: Partial<LearnerLimits> } = {}): Promise<IsolatedShells> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'labrunner-iso-'));
  const confinement = await Confinement.start({ dataDir, log: process.env.LABRUNNER_TEST_LOG ? (m) => console.error(m) : () => undefined, ...(opts.limits ? { limits: opts.limits } : {}) });
  const sandbox = opts.sandbox
    ? await EmbeddedSandbox.start({ bin: BIN, dataDir: path.join(dataDir, 'sandbox'), port: 0, log: () => undefined })
    : undefined;
  const wrapperDir = await writeAwsWrapper(path.join(dataDir, 'bin'));
  const envOf = async (learnerId: string, labId = 'welcome') => {
    const home = workspacePath(dataDir, learnerId, labId);
    const aws = sandbox ? awsShellVariables(await sandbox.access(learnerId), wrapperDir, process.env.PATH ?? '/usr/bin:/bin') : {};
    return confinement.environment(learnerId, shellEnvironment(home, aws));
  };
  const host = new PtyHost({
    idleTimeoutMs: 30 * 60_000,
    async shellFor(key, size) {
      const home = workspacePath(dataDir, key.learnerId, key.labId);
      const env = await envOf(key.learnerId, key.labId);
      await confinement.prepare(key.learnerId);
      await prepareWorkspace(home, path.join(LABS_DIR, key.labId));
      return confinement.wrap(key.learnerId, bashSpec(home, size, env));
    },
  });
  let counter = 0;
  return {
    dataDir,
    confinement,
    sandbox,
    envOf,
    async shell(learnerId, labId = 'welcome') {
      const session = await host.open({ learnerId, labId }, { cols: 200, rows: 50 });
      let text = '';
      let waiters: Array<() => void> = [];
      const sink: ITerminalSink = {
        sendReplay: () => undefined,
        sendOutput(frame: Buffer) {
          text = (text + frame.toString('utf8')).slice(-400_000);
          session.ack(sink, frame.length);
          for (const w of waiters.splice(0)) w();
        },
      };
      await host.attach(session, sink);
      const waitFor = async (pattern: string | RegExp, timeoutMs = 20_000) => {
        const matches = () => (typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text));
        const deadline = Date.now() + timeoutMs;
        while (!matches()) {
          if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(pattern)}; last output:\n${text.slice(-2000)}`);
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, 200);
            waiters.push(() => {
              clearTimeout(timer);
              resolve();
            });
          });
        }
      };
      const shell: TestShell = {
        session,
        get text() {
          return text;
        },
        type: (t) => session.input(t),
        waitFor,
        async run(command, timeoutMs = 20_000) {
          const id = `${++counter}${Math.random().toString(36).slice(2, 8)}`;
          // The markers are built by the shell (printf), so the echoed command line never matches them.
          session.input(`${command}; printf '\\n<%s%s>%s<%s%s>\\n' begin ${id} "$?" end ${id}\r`);
          const done = new RegExp(`<begin${id}>(\\d+)<end${id}>`);
          await waitFor(done, timeoutMs);
          const m = done.exec(text)!;
          const echoEnd = text.lastIndexOf(`end ${id}`);
          const output = text.slice(text.indexOf('\n', echoEnd) + 1, m.index).replace(/\x1b\[[0-9;?]*[a-zA-Z]/g, '').replace(/\r/g, '').trim();
          return { output, exitCode: Number(m[1]) };
        },
      };
      await shell.run('true');
      return shell;
    },
    async dispose() {
      await host.shutdown();
      await confinement.dispose();
      await sandbox?.dispose();
      await confinement.forgetEveryone();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
