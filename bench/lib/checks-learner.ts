/**
 * One learner of a lab, set up as `labrunner serve` sets one up (server/main.ts): a workspace with the lab's
 * files/, the aws wrapper on PATH, the shell environment of server/workspace + server/aws/shell-env, and then the
 * lab's solve/*.sh scripts run in step order with that environment, so the learner's state is the solved one.
 */
import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { LearnerAwsAccess } from '../../server/aws/aws-target.ts';
import { awsShellVariables, writeAwsWrapper } from '../../server/aws/shell-env.ts';
import type { LabDefinition } from '../../server/core/lab/model.ts';
import { prepareWorkspace, shellEnvironment, workspacePath } from '../../server/workspace/index.ts';

const run = promisify(execFile);

export interface BenchLearner {
  learnerId: string;
  labId: string;
  workspace: string;
  env: Record<string, string>;
  access: LearnerAwsAccess;
}

export async function prepareLearner(dataDir: string, labDir: string, labId: string, learnerId: string, access: LearnerAwsAccess): Promise<BenchLearner> {
  const wrapperDir = await writeAwsWrapper(join(dataDir, 'bin'));
  const workspace = workspacePath(dataDir, learnerId, labId);
  await prepareWorkspace(workspace, labDir);
  const env = shellEnvironment(workspace, awsShellVariables(access, wrapperDir, process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin'));
  return { learnerId, labId, workspace, env, access };
}

export interface SolveRun {
  step: string;
  exitCode: number | null;
  seconds: number;
  output: string;
}

/** Runs `solve/<step>.sh` for every step that has one, in the lab's order, as the learner (bash, workspace, env). */
export async function solve(lab: LabDefinition, labDir: string, learner: BenchLearner, log: (msg: string) => void): Promise<SolveRun[]> {
  const runs: SolveRun[] = [];
  for (const step of lab.steps.filter((s) => s.hasSolution)) {
    const t0 = performance.now();
    const result = await new Promise<{ exitCode: number | null; output: string }>((resolve) => {
      const child = spawn('bash', [join(labDir, 'solve', `${step.id}.sh`)], { cwd: learner.workspace, env: learner.env, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      const take = (d: Buffer) => (output = (output + d.toString()).slice(-4000));
      child.stdout.on('data', take);
      child.stderr.on('data', take);
      const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
      child.once('close', (exitCode) => {
        clearTimeout(timer);
        resolve({ exitCode, output });
      });
    });
    const r = { step: step.id, exitCode: result.exitCode, seconds: Math.round((performance.now() - t0) / 10) / 100, output: result.output.trim() };
    runs.push(r);
    log(`solve/${step.id}.sh: exit ${r.exitCode} in ${r.seconds} s${r.exitCode === 0 ? '' : `\n${r.output}`}`);
  }
  return runs;
}

/** Runs a command as the learner; resolves with stdout (rejects on a non-zero exit). */
export async function asLearner(learner: BenchLearner, command: string): Promise<string> {
  const { stdout } = await run('bash', ['-c', command], { cwd: learner.workspace, env: learner.env, timeout: 120_000, maxBuffer: 16 << 20 });
  return stdout;
}
