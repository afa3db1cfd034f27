import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { DeleteServiceCommand, DescribeTasksCommand, ListClustersCommand, ListServicesCommand, ListTasksCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { io, type Socket } from 'socket.io-client';
import { builtInCheckers } from '../../checkers/index.ts';
import { EmbeddedSandbox, type LearnerAwsAccess } from '../aws/index.ts';
import { createAwsClients } from '../aws/clients.ts';
import { Confinement } from '../confinement/index.ts';
import type { LabStep } from '../core/lab/index.ts';
import type { Answer, ClientToServerEvents, LabProgressView, ServerToClientEvents } from '../core/protocol.ts';
import { createLintRegistry, FileLabCatalog } from '../labs/index.ts';
import { startServer, type RunningServer } from '../main.ts';
import { workspacePath } from '../workspace/index.ts';
import { loadOrCreateSecret } from '../workspace/secret.ts';
import { LearnerShell } from './learner-shell.ts';
import {
  judgeReadingSolve,
  judgeStep,
  labOk,
  shellQuote,
  solveEnvironment,
  stopsTheLab,
  summarize,
  untestedStep,
  type CheckOutcome,
  type IsolationReport,
  type LabReport,
  type SolveOutcome,
  type StepReport,
  type TestReport,
} from './verdict.ts';

const run = promisify(execFile);

export interface LabTestOptions {
  /** The folder whose labs are tested (each `<labsDir>/<id>/lab.md`). */
  labsDir: string;
  /** The `labrunner` executable, to start the sandbox with. */
  bin: string;
  /** The browser bundle the server would serve (not needed by the tests; any folder will do). */
  clientDir: string;
  /** How long one solve script may run (default 5 minutes). */
  stepTimeoutMs?: number;
  /**
   * After a solution, checks that still fail are retried until this long has passed (default 10 s): some
   * outcomes settle a moment after the command returns (a scan, a replica, a service's running count).
   */
  settleMs?: number;
  /** Progress lines (one per step), for a human watching. */
  progress?: (line: string) => void;
  /** Stops the run (Ctrl-C): the running solution is interrupted, later steps and labs are not run, and everything is cleaned up. */
  signal?: AbortSignal;
  /**
   * Whether the learner is confined like a classroom student (own OS user, bubblewrap sandbox, own container
   * engine behind the docker gate; docs/security.md): `on` requires it, `off` never, `auto` (default) when this
   * machine can (root, with the tools scripts/setup-system installs). Only a confined learner proves checks of
   * built images non-vacuous: an unconfined one shares the machine's container engine and whatever was built there.
   */
  isolation?: IsolationMode;
}

export type IsolationMode = 'auto' | 'on' | 'off';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * `labrunner test`: solves labs the way a learner would, against a sandbox and server of their own. For every
 * lab: a fresh sandbox account and workspace; for every graded step its checks must fail, then
 * `solve/<step>.sh` runs in the learner's terminal, then the checks must pass. The learner is confined when
 * `options.isolation` says so (see there). Everything is cleaned up, even on failure: the server, the sandbox,
 * the ECS tasks and services the labs started, the images they tagged, confined learners' OS users and disks.
 */
export async function testLabs(labIds: readonly string[] | undefined, options: LabTestOptions): Promise<TestReport> {
  const isolation = isolationFor(options.isolation ?? 'auto');
  const root = await mkdtemp(path.join(os.tmpdir(), 'labrunner-labtest-'));
  const serverDir = path.join(root, 'server');
  const labs: LabReport[] = [];
  const warnings: string[] = [];
  let sandbox: EmbeddedSandbox | undefined;
  let server: RunningServer | undefined;
  try {
    sandbox = await EmbeddedSandbox.start({ bin: options.bin, dataDir: path.join(root, 'sandbox'), port: 0, lifecycleIntervalSeconds: 2, log: () => undefined });
    server = await startServer({
      host: '127.0.0.1',
      port: 0,
      dataDir: serverDir,
      labsDir: options.labsDir,
      clientDir: options.clientDir,
      idleTimeoutMs: 60 * 60_000,
      aws: sandbox,
      // 'on': every learner of this server (there is only the test learner) gets the server's own confinement,
      // so their shell, their checks (environment and `shell` checks) and their docker are a classroom student's.
      isolation: isolation.confined ? 'on' : 'off',
      log: () => undefined,
    });
    // The same secret as the server's, so the variables given to solve scripts are the ones the checks use.
    const catalog = new FileLabCatalog(options.labsDir, {
      checkers: createLintRegistry(builtInCheckers),
      variableSecret: await loadOrCreateSecret(path.join(serverDir, 'variables-secret')),
    });
    const ids = labIds?.length ? [...labIds] : (await catalog.list()).map((l) => l.id);
    for (const labId of ids) {
      if (options.signal?.aborted) break;
      labs.push(await testLab(labId, { catalog, server, sandbox, serverDir, confined: isolation.confined, options }));
    }
  } finally {
    // The server's dispose ends the shells, then its confinement's: learners' gates and engines stop, disks unmount.
    await server?.dispose().catch(() => undefined);
    await sandbox?.dispose().catch(() => undefined);
    if (isolation.confined) warnings.push(...(await forgetLearners(serverDir)));
    await rm(root, { recursive: true, force: true }).catch(() => undefined);
  }
  return summarize(labs, isolation, warnings);
}

/** What `isolation` comes to on this machine; `on` where it cannot confine is an error, not a quiet fallback. */
function isolationFor(mode: IsolationMode): IsolationReport {
  if (mode === 'off') return { confined: false, reason: 'isolation is off' };
  const unavailable = Confinement.unavailable();
  if (unavailable && mode === 'on') throw new Error(`cannot confine the learner: ${unavailable}`);
  return unavailable ? { confined: false, reason: unavailable } : { confined: true };
}

/**
 * Deletes the OS users and disk images the run's confined learners got. The server's confinement is its own
 * (startServer keeps it), so it is opened again on the same data dir, whose records name every learner it made;
 * this also finds those of a server that failed half-way. Returns what could not be removed.
 */
async function forgetLearners(serverDir: string): Promise<string[]> {
  try {
    const confinement = await Confinement.start({ dataDir: serverDir, log: () => undefined });
    await confinement.dispose();
    await confinement.forgetEveryone();
    return [];
  } catch (err) {
    return [`the test learners' OS users or disks could not be removed: ${err instanceof Error ? err.message : String(err)}`];
  }
}

interface LabContext {
  catalog: FileLabCatalog;
  server: RunningServer;
  sandbox: EmbeddedSandbox;
  /** The server's data dir (where learners' workspaces are). */
  serverDir: string;
  confined: boolean;
  options: LabTestOptions;
}

async function testLab(labId: string, ctx: LabContext): Promise<LabReport> {
  const started = Date.now();
  const steps: StepReport[] = [];
  const errors: string[] = [];
  const warnings: string[] = [];
  let cleanup: SolveOutcome | undefined;
  const done = (): LabReport => ({ labId, ok: labOk({ steps, errors }), steps, errors, warnings, ...(cleanup ? { cleanup } : {}), durationMs: Date.now() - started });
  const progress = ctx.options.progress ?? (() => undefined);

  const entry = await ctx.catalog.get(labId);
  if (!entry) {
    errors.push(`there is no lab '${labId}' in ${ctx.options.labsDir}`);
    return done();
  }
  if (!entry.definition) {
    errors.push('the lab does not load (run labrunner lint):', ...entry.problems.filter((p) => p.severity === 'error').map((p) => `  ${p.file}:${p.line}:${p.column} ${p.message}`));
    return done();
  }
  const lab = entry.definition;
  const timeoutMs = ctx.options.stepTimeoutMs ?? 300_000;
  const learnerId = `labtest-${labId}`.slice(0, 64);
  let access: LearnerAwsAccess | undefined;
  let shell: LearnerShell | undefined;
  let socket: Client | undefined;
  try {
    access = await ctx.sandbox.access(learnerId);
    const variables = (await ctx.catalog.variables(labId, { learnerId, accountId: access.accountId, region: access.region, ...(access.registry ? { registry: access.registry } : {}) })) ?? {};
    const assignments = Object.entries(solveEnvironment(variables))
      .map(([name, value]) => `${name}=${shellQuote(value)}`)
      .join(' ');
    shell = await LearnerShell.open(ctx.server.ptyHost, { learnerId, labId });
    socket = await connect(ctx.server.url, learnerId);
    // After the shell opened: for a confined learner that mounted their own disk on their folder.
    const solveDir = ctx.confined ? await shareSolveFolder(entry.dir, path.dirname(workspacePath(ctx.serverDir, learnerId, labId))) : path.join(entry.dir, 'solve');

    const solve = async (script: string): Promise<SolveOutcome> => {
      const result = await shell!.run(`${assignments} bash ${shellQuote(script)} </dev/null`.trimStart(), timeoutMs, ctx.options.signal);
      return { ...(result.exitCode !== undefined ? { exitCode: result.exitCode } : {}), timedOut: result.timedOut, durationMs: result.durationMs, output: result.output };
    };
    const scriptOf = (stepId: string) => path.join(solveDir, `${stepId}.sh`);

    let stopped = false;
    for (const step of lab.steps) {
      const graded = step.checks.length > 0;
      let report: StepReport;
      if (ctx.options.signal?.aborted) stopped = true;
      if (stopped) report = untestedStep(step.id, step.title, 'not-run');
      else if (!step.hasSolution) report = untestedStep(step.id, step.title, graded ? 'no-solution' : 'reading');
      else if (!graded) report = judgeReadingSolve(step.id, step.title, await solve(scriptOf(step.id)), timeoutMs);
      else report = await testGradedStep(step, socket, labId, () => solve(scriptOf(step.id)), timeoutMs, ctx.options.settleMs ?? 10_000);
      steps.push(report);
      progress(`${labId}/${step.id}: ${report.before} → ${report.after}`);
      if (stopsTheLab(report)) stopped = true;
    }

    if (ctx.options.signal?.aborted) errors.push('interrupted (Ctrl-C): the steps from the one that was running on were not tested');
    // solve/cleanup.sh undoes what the lab made outside its account and workspace; a step called `cleanup` owns the name.
    const cleanupScript = path.join(entry.dir, 'solve', 'cleanup.sh');
    if (existsSync(cleanupScript) && !lab.steps.some((s) => s.id === 'cleanup') && !ctx.options.signal?.aborted) {
      const result = (cleanup = await solve(path.join(solveDir, 'cleanup.sh')));
      if (result.timedOut) errors.push(`solve/cleanup.sh did not finish within ${Math.round(timeoutMs / 1000)} s`);
      else if (result.exitCode !== 0) errors.push(`solve/cleanup.sh exited with ${result.exitCode}${result.output.trim() ? `:\n${result.output.trimEnd()}` : ''}`);
      progress(`${labId}: solve/cleanup.sh ${result.exitCode === 0 ? 'done' : 'FAILED'}`);
    }
  } catch (err) {
    errors.push(`the lab could not be tested: ${err instanceof Error ? err.message : String(err)}`);
    for (const step of lab.steps.slice(steps.length)) steps.push(untestedStep(step.id, step.title, 'not-run'));
  } finally {
    socket?.close();
    shell?.dispose();
    if (access) warnings.push(...(await cleanUpAccount(access)));
  }
  return done();
}

async function testGradedStep(step: LabStep, socket: Client, labId: string, solve: () => Promise<SolveOutcome>, timeoutMs: number, settleMs: number): Promise<StepReport> {
  const started = Date.now();
  const before = await checkStep(socket, labId, step.id);
  const solved = await solve();
  let after: CheckOutcome[] | undefined;
  if (!solved.timedOut && solved.exitCode === 0) {
    after = await checkStep(socket, labId, step.id);
    const deadline = Date.now() + settleMs;
    while (after.some((c) => c.status !== 'pass') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 2000));
      after = await checkStep(socket, labId, step.id);
    }
  }
  const verdict = judgeStep({ before, solve: solved, ...(after ? { after } : {}), timeoutMs, waits: step.waits });
  return {
    stepId: step.id,
    title: step.title,
    ...verdict,
    durationMs: Date.now() - started,
    checksBefore: before,
    ...(after ? { checksAfter: after } : {}),
    solve: solved,
  };
}

/**
 * A confined learner's sandbox shows their own files and nothing of the labs folder, so the lab's `solve/` is
 * copied into their files: beside the lab's workspace, not in it, so that no check sees it. Returns the copy.
 */
async function shareSolveFolder(labDir: string, learnerFiles: string): Promise<string> {
  const copy = path.join(learnerFiles, '.labtest-solve');
  const solve = path.join(labDir, 'solve');
  if (!existsSync(solve)) return copy;
  await cp(solve, copy, { recursive: true, dereference: true });
  // Copied by root, with the author's modes: the learner (another user) must be able to read every script.
  await run('chmod', ['-R', 'a+rX', copy]);
  return copy;
}

function connect(url: string, learnerId: string): Promise<Client> {
  const socket: Client = io(url, { auth: { learnerId }, transports: ['websocket'], reconnection: false, forceNew: true });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

/** Runs a step's checks through the server, as the Check button does. */
async function checkStep(socket: Client, labId: string, stepId: string): Promise<CheckOutcome[]> {
  // The server bounds each check (15 s); this only guards against a server that never answers.
  const answer = await new Promise<Answer<LabProgressView>>((resolve, reject) =>
    socket.timeout(120_000).emit('check:run', { labId, stepId }, (err: Error | null, reply: Answer<LabProgressView>) => (err ? reject(new Error(`the server did not answer the checks of step ${stepId}`)) : resolve(reply))),
  );
  if (!answer.ok) throw new Error(`checking step ${stepId} failed: ${answer.error.code}: ${answer.error.message}`);
  const results = answer.value.steps[stepId]?.results;
  if (!results) throw new Error(`the server returned no results for step ${stepId}`);
  return results.map((r) => ({ title: r.title, status: r.status, message: r.message }));
}

/**
 * Stops what the learner's account runs (ECS services and tasks, through the API) and removes the images
 * tagged for the learner's registry from the machine's container engine (`access.dockerHost`: the one the
 * sandbox runs ECS tasks with, and an unconfined learner's). Plain local names (`myrepo:latest`) stay: the
 * engine's store may be shared with other users. A confined learner's own engine and images go with their
 * disk (forgetLearners). Returns what could not be cleaned up.
 */
async function cleanUpAccount(access: LearnerAwsAccess): Promise<string[]> {
  const leftovers: string[] = [];
  const aws = await createAwsClients(access, { requestTimeoutMs: 15_000 });
  try {
    const { clusterArns = [] } = await aws.ecs.send(new ListClustersCommand({}));
    for (const cluster of clusterArns) {
      const { serviceArns = [] } = await aws.ecs.send(new ListServicesCommand({ cluster }));
      for (const service of serviceArns) await aws.ecs.send(new DeleteServiceCommand({ cluster, service, force: true }));
      const { taskArns = [] } = await aws.ecs.send(new ListTasksCommand({ cluster }));
      for (const task of taskArns) await aws.ecs.send(new StopTaskCommand({ cluster, task, reason: 'labrunner test: clean-up' }));
      // Wait until their containers are gone, so the engine is left as it was found.
      const deadline = Date.now() + 60_000;
      while (taskArns.length && Date.now() < deadline) {
        const { tasks = [] } = await aws.ecs.send(new DescribeTasksCommand({ cluster, tasks: taskArns }));
        if (tasks.every((t) => t.lastStatus === 'STOPPED')) break;
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  } catch (err) {
    leftovers.push(`ECS clean-up failed: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    aws.dispose();
  }
  if (access.dockerHost && access.registry) {
    const env = { ...process.env, DOCKER_HOST: access.dockerHost };
    try {
      const { stdout } = await run('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}'], { env, timeout: 30_000 });
      const mine = stdout.split('\n').filter((ref) => ref.startsWith(`${access.registry}/`));
      if (mine.length) await run('docker', ['rmi', '-f', ...mine], { env, timeout: 60_000 });
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (code !== 'ENOENT') leftovers.push(`images tagged for ${access.registry} could not be removed: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
    }
  }
  return leftovers;
}
