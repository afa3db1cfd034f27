import { spawn } from 'node:child_process';
import { z } from 'zod';
import { fail, pass, type AbortSignalLike, type CheckerDefinition, type CommandSpec } from '../../server/core/checks.ts';
import { zodParams } from '../lib/params.ts';
import { excerpt, isRegExp, tail } from '../lib/text.ts';

const Pattern = z.string().min(1).refine(isRegExp, { message: 'not a valid regular expression' });

const Params = z.strictObject({
  /** Run with `bash -c` in the learner's workspace, with the learner's environment. */
  command: z.string().min(1),
  exitCode: z.number().int().min(0).max(255).default(0),
  /** A regular expression (multiline) stdout must match. */
  stdoutMatches: Pattern.optional(),
  stderrMatches: Pattern.optional(),
  timeoutSeconds: z.number().positive().max(120).default(10),
});
type Params = z.output<typeof Params>;

/** Output kept per stream. */
const MAX_OUTPUT = 64 * 1024;

/**
 * A command the lab author wrote, run as the learner would run it (bash, their workspace, their AWS/docker
 * environment from `ctx.env`), checked by exit code and output.
 */
export const shellCheck: CheckerDefinition<Params> = {
  id: 'shell',
  description: 'A shell command, run in the learner’s workspace, exits as expected and prints what is expected',
  params: zodParams(Params),
  async run(p, ctx) {
    const env = ctx.env ?? { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: ctx.workspace, LANG: 'C.UTF-8' };
    const direct: CommandSpec = { file: 'bash', args: ['-c', p.command], cwd: ctx.workspace, env };
    // A confined learner's files are read with their rights only, never root's (docs/security.md).
    const command = ctx.runAsLearner ? await ctx.runAsLearner(direct) : direct;
    const run = await runCommand(command, p.timeoutSeconds * 1000, ctx.signal);
    const evidence = { command: p.command, exitCode: run.exitCode, stdout: tail(run.stdout, 500), stderr: tail(run.stderr, 500) };
    if (run.timedOut) {
      return fail(`\`${p.command}\` did not finish within ${p.timeoutSeconds} s.`, `It may be waiting for something you set up (a server, a container). So far it printed: "${tail(run.stdout + run.stderr, 200)}"`, evidence);
    }
    if (run.exitCode !== p.exitCode) {
      const said = tail(run.stderr) || tail(run.stdout);
      return fail(
        `\`${p.command}\` exited with ${run.exitCode === null ? `signal ${run.signal}` : run.exitCode} (expected ${p.exitCode}).`,
        said ? `It said: "${said}"` : 'It printed nothing.',
        evidence,
      );
    }
    for (const [stream, pattern, text] of [['output', p.stdoutMatches, run.stdout], ['error output', p.stderrMatches, run.stderr]] as const) {
      if (pattern !== undefined && !new RegExp(pattern, 'm').test(text)) {
        return fail(`The ${stream} of \`${p.command}\` does not match /${pattern}/.`, text.trim() ? `It printed: "${excerpt(text)}"` : 'It printed nothing there.', evidence);
      }
    }
    return pass(`\`${p.command}\` ran as expected.`, evidence);
  },
};

interface BashRun {
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Runs the command in its own process group, so a timeout or abort kills everything it started. */
function runCommand(command: CommandSpec, timeoutMs: number, signal: AbortSignalLike): Promise<BashRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command.file, [...command.args], { cwd: command.cwd, env: { ...command.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const out = { stdout: '', stderr: '' };
    const collect = (key: 'stdout' | 'stderr') => (d: Buffer) => {
      if (out[key].length < MAX_OUTPUT) out[key] += d.toString('utf8').slice(0, MAX_OUTPUT - out[key].length);
    };
    child.stdout.on('data', collect('stdout'));
    child.stderr.on('data', collect('stderr'));
    let timedOut = false;
    const killGroup = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, timeoutMs);
    const onAbort = () => killGroup();
    signal.addEventListener('abort', onAbort, { once: true });
    const cleanup = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    };
    child.once('error', (err) => {
      cleanup();
      reject(err);
    });
    child.once('close', (exitCode, sig) => {
      cleanup();
      if (signal.aborted && !timedOut) return reject(signal.reason);
      resolve({ exitCode, signal: sig, ...out, timedOut });
    });
  });
}
