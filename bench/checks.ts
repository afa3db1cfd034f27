import { DescribeTasksCommand, ListTasksCommand } from '@aws-sdk/client-ecs';
import Docker from 'dockerode';
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { builtInCheckers, nodeDeadlines } from '../checkers/index.ts';
import { LABS_DIR } from '../cli/paths.ts';
import { createAwsClients, type AwsClients } from '../server/aws/clients.ts';
import type { CheckerDefinition, CheckResult } from '../server/core/checks.ts';
import { CheckerRegistry, type RunCheckContext, type RunCheckOptions } from '../server/core/grading/checker-registry.ts';
import { resolveLabVariables } from '../server/core/lab/variables.ts';
import type { LabDefinition } from '../server/core/lab/model.ts';
import { GradingService } from '../server/grading/grading-service.ts';
import { createLabRenderer, createLintRegistry, FileLabCatalog, loadLabFolder, renderLabView, type LearnerContext } from '../server/labs/index.ts';
import { SqliteProgressStore } from '../server/store/index.ts';
import { asLearner, prepareLearner, solve, type BenchLearner, type SolveRun } from './lib/checks-learner.ts';
import { PODMAN, startBenchSandbox, tool, type BenchSandbox } from './lib/ecs-sandbox.ts';
import { cpuSeconds } from './lib/server-process.ts';
import { median, percentile, round } from './lib/stats.ts';
import type { BenchContext, BenchFigure, BenchReport, BenchSuite } from './lib/suite.ts';

const LAB = 'ecr-hello-ecs';
const LEARNER = 'bench-learner';
const CHECKS_TARGET_MS = 50;
const RENDER_TARGET_MS = 10;
const execFileP = promisify(execFile);

/**
 * Grading and lab pages: every check of ecr-hello-ecs for one learner in the solved state (the lab's solve/*.sh
 * run as the learner against a real `labrunner sandbox` process), through the GradingService exactly as the Check
 * button runs them, timed per run, per step and per check; what the slow checks are made of; and lab load + render
 * (parse lab.md and render a learner's view) cold and cached.
 */
const checks: BenchSuite = {
  description: `checks: all checks of ${LAB} for one solved learner (p50/p99), their parts, lab load + render cold/cached`,
  async run(ctx) {
    const s = settings(ctx);
    // Render first: it needs no sandbox, and the very first call shows the cost of a cold process.
    const render = s.parts.includes('render') ? await measureRender(ctx, s) : undefined;
    if (!s.parts.includes('checks')) return report(s, render, undefined);
    const sandbox = await startBenchSandbox();
    const dataDir = await mkdtemp(join(tmpdir(), 'bench-checks-'));
    const imagesBefore = new Set((await tool(PODMAN, ['images', '-a', '-q', '--no-trunc'])).split('\n').filter(Boolean).map(normalizeId));
    let built: string | undefined;
    try {
      ctx.log(`sandbox pid ${sandbox.pid} at ${sandbox.endpoint} (TLS ${sandbox.tls}, naming ${sandbox.registryHostNaming})`);
      const grading = await measureChecks(ctx, s, sandbox, dataDir, (id) => (built = id));
      return report(s, render, grading);
    } finally {
      await sandbox.stop();
      if (built) await removeBuiltImages(ctx, built, imagesBefore);
      await rm(dataDir, { recursive: true, force: true });
    }
  },
};
export default checks;

interface Settings {
  checkRuns: number;
  microRuns: number;
  renderRuns: number;
  parts: string[];
}

function settings(ctx: BenchContext): Settings {
  const num = (key: string, fallback: number) => (ctx.settings[key] === undefined ? fallback : Number(ctx.settings[key]));
  return {
    checkRuns: num('checkRuns', 100),
    microRuns: num('microRuns', 20),
    renderRuns: num('renderRuns', 500),
    parts: (ctx.settings['parts'] ?? 'render,checks').split(','),
  };
}

// --- lab load + render ------------------------------------------------------------------------------------

interface RenderResult {
  firstEverMs: number;
  coldMs: number[];
  cachedMs: number[];
  parseMs: number[];
  renderMs: number[];
  htmlBytes: number;
}

async function measureRender(ctx: BenchContext, s: Settings): Promise<RenderResult> {
  const learner: LearnerContext = { learnerId: LEARNER, accountId: '123456789012', region: 'us-east-1', registry: '123456789012.dkr.ecr.us-east-1.localhost:4580' };
  const options = () => ({ checkers: createLintRegistry(builtInCheckers), variableSecret: 'bench' });
  const timeView = async (catalog: FileLabCatalog) => {
    const t0 = performance.now();
    const view = await catalog.view(LAB, learner);
    const elapsed = performance.now() - t0;
    if (!view?.available) throw new Error(`${LAB} did not render: ${JSON.stringify(view?.problems)}`);
    return { elapsed, bytes: view.html.length };
  };
  const first = await timeView(new FileLabCatalog(LABS_DIR, options()));
  const coldMs: number[] = [];
  const cachedMs: number[] = [];
  const cached = new FileLabCatalog(LABS_DIR, options());
  // Interleaved, so both meet the same load; the first 20 of each warm the JIT and are not recorded.
  for (let i = -20; i < s.renderRuns; i++) {
    const cold = await timeView(new FileLabCatalog(LABS_DIR, options()));
    const warm = await timeView(cached);
    if (i >= 0) {
      coldMs.push(cold.elapsed);
      cachedMs.push(warm.elapsed);
    }
  }
  // The parts: reading + parsing the folder, and rendering a parsed lab for a learner.
  const dir = join(LABS_DIR, LAB);
  const lintRegistry = createLintRegistry(builtInCheckers);
  const parseMs: number[] = [];
  const renderMs: number[] = [];
  let lab: LabDefinition | undefined;
  for (let i = -20; i < s.renderRuns; i++) {
    const t0 = performance.now();
    lab = (await loadLabFolder(dir, { checkers: lintRegistry, displayFile: `${LAB}/lab.md`, labId: LAB })).lab;
    const t1 = performance.now();
    renderLabView(lab!, resolveLabVariables(LAB, lab!.variables, { ...learner, secret: 'bench' }));
    const t2 = performance.now();
    if (i >= 0) {
      parseMs.push(t1 - t0);
      renderMs.push(t2 - t1);
    }
  }
  const r = { firstEverMs: first.elapsed, coldMs, cachedMs, parseMs, renderMs, htmlBytes: first.bytes };
  const q = (xs: number[]) => `p50 ${round(percentile(xs, 50))} / p99 ${round(percentile(xs, 99))} ms`;
  ctx.log(`render: first ever ${round(r.firstEverMs, 1)} ms; cold ${q(coldMs)}; cached ${q(cachedMs)}; parse ${q(parseMs)}; render ${q(renderMs)}`);
  return r;
}

// --- checks -----------------------------------------------------------------------------------------------

interface CheckTiming {
  key: string;
  checker: string;
  ms: number;
  status: CheckResult['status'];
}

/** The registry the server uses, timing every runCheck (what a check costs inside the grading service). */
class TimedRegistry extends CheckerRegistry<AwsClients> {
  timings: CheckTiming[] = [];
  step = '';
  override async runCheck(checker: CheckerDefinition<unknown, AwsClients>, rawParams: unknown, ctx: RunCheckContext<AwsClients>, options: RunCheckOptions): Promise<CheckResult> {
    const t0 = performance.now();
    const r = await super.runCheck(checker, rawParams, ctx, options);
    this.timings.push({ key: `${this.step}:${checker.id}`, checker: checker.id, ms: performance.now() - t0, status: r.status });
    return r;
  }
}

interface ChecksResult {
  solveRuns: SolveRun[];
  /** Status and message of every check in the untimed first run. */
  firstRun: { key: string; status: string; message: string }[];
  totalMs: number[];
  /** The whole lab in one "Check all steps" (GradingService.checkAll). */
  checkAllMs: number[];
  byCheck: Record<string, number[]>;
  notPassed: Record<string, number>;
  clientCpuMs: number[];
  sandboxCpuMs: number[];
  loadAverage: number[][];
  micro: Record<string, number[]>;
  checkCount: number;
  /** sha256 of lab.md as checked (the lab is edited by others; the checks change with it). */
  labMd: string;
}

async function measureChecks(ctx: BenchContext, s: Settings, sandbox: BenchSandbox, dataDir: string, onBuilt: (id: string) => void): Promise<ChecksResult> {
  const labs = new FileLabCatalog(LABS_DIR, { checkers: createLintRegistry(builtInCheckers), variableSecret: 'bench' });
  const entry = await labs.get(LAB);
  if (!entry?.definition) throw new Error(`${LAB} has errors: ${JSON.stringify(entry?.problems)}`);
  const lab = entry.definition;
  const access = await sandbox.access(LEARNER);
  const learner = await prepareLearner(dataDir, entry.dir, LAB, LEARNER, access);
  ctx.log('solving the lab as the learner (solve/*.sh)');
  const solveRuns = await solve(lab, entry.dir, learner, ctx.log);
  const built = (await asLearner(learner, "docker image inspect --format '{{.Id}}' myrepo:latest").catch(() => '')).trim();
  if (built) onBuilt(normalizeId(built));

  const registry = new TimedRegistry(nodeDeadlines);
  registry.registerAll(builtInCheckers as readonly CheckerDefinition<unknown, AwsClients>[]);
  const store = SqliteProgressStore.open(join(dataDir, 'server'));
  const grading = new GradingService({
    labs,
    store,
    checkers: registry,
    aws: { kind: 'sandbox', access: async () => access },
    workspaceOf: () => learner.workspace,
    shellEnvOf: async () => learner.env,
    renderMarkdown: createLabRenderer(),
    now: Date.now,
  });
  const steps = lab.steps.filter((st) => st.checks.length > 0);
  const checkCount = steps.reduce((n, st) => n + st.checks.length, 0);
  try {
    const runAll = async () => {
      registry.timings = [];
      for (const st of steps) {
        registry.step = st.id;
        await grading.checkStep(LEARNER, LAB, st.id, 'button');
      }
      return registry.timings;
    };
    // One untimed run: what each check says in the solved state (they should all pass), and warm-up.
    const first = await runAll();
    const view = await grading.progress(LEARNER, LAB);
    const firstRun = steps.flatMap((st) => view.steps[st.id]!.results.map((r, i) => ({ key: `${st.id}:${st.checks[i]!.checker}`, status: r.status, message: r.message })));
    for (const r of firstRun) ctx.log(`  ${r.status.padEnd(5)} ${r.key}: ${r.message}`);
    ctx.log(`first run: ${round(first.reduce((n, t) => n + t.ms, 0), 1)} ms; score ${JSON.stringify(view.score)}`);

    const totalMs: number[] = [];
    const byCheck: Record<string, number[]> = {};
    const notPassed: Record<string, number> = {};
    const clientCpuMs: number[] = [];
    const sandboxCpuMs: number[] = [];
    const loadAverage: number[][] = [];
    for (let i = 0; i < s.checkRuns; i++) {
      const cpu0 = process.cpuUsage();
      const sb0 = cpuSeconds(sandbox.pid);
      const t0 = performance.now();
      const timings = await runAll();
      totalMs.push(performance.now() - t0);
      const cpu = process.cpuUsage(cpu0);
      clientCpuMs.push((cpu.user + cpu.system) / 1000);
      sandboxCpuMs.push((cpuSeconds(sandbox.pid) - sb0) * 1000);
      for (const t of timings) {
        (byCheck[t.key] ??= []).push(t.ms);
        if (t.status !== 'pass') notPassed[t.key] = (notPassed[t.key] ?? 0) + 1;
      }
      if (i % 10 === 9) {
        loadAverage.push(loadavg().map((l) => round(l, 2)));
        ctx.log(`run ${i + 1}/${s.checkRuns}: ${round(totalMs.at(-1)!, 1)} ms (p50 so far ${round(median(totalMs), 1)} ms), load ${loadavg()[0]!.toFixed(2)}`);
      }
    }
    // "Check all steps": the same checks, every step side by side in one run (GradingService.checkAll).
    const checkAllMs: number[] = [];
    registry.step = 'all';
    for (let i = 0; i < s.checkRuns; i++) {
      registry.timings = [];
      const t0 = performance.now();
      const view = await grading.checkAll(LEARNER, LAB);
      checkAllMs.push(performance.now() - t0);
      if (view.score.earned !== view.score.total) ctx.log(`check all run ${i + 1}: score ${JSON.stringify(view.score)} (a check did not pass)`);
    }
    ctx.log(`check all steps: p50 ${round(median(checkAllMs), 1)} ms`);
    const micro = await measureParts(ctx, s, learner);
    const labMd = createHash('sha256').update(await readFile(join(entry.dir, 'lab.md'))).digest('hex');
    return { solveRuns, firstRun, totalMs, checkAllMs, byCheck, notPassed, clientCpuMs, sandboxCpuMs, loadAverage, micro, checkCount, labMd };
  } finally {
    grading.dispose();
    store.dispose();
  }
}

/**
 * What the slow checks are made of, each alone: a bash spawn, the docker CLI, one AWS CLI call, and the
 * in-process equivalents a checker could use instead (SDK calls + fetch; the Docker Engine API).
 */
async function measureParts(ctx: BenchContext, s: Settings, learner: BenchLearner): Promise<Record<string, number[]>> {
  const timed = async (name: string, n: number, fn: () => Promise<unknown>) => {
    for (let i = 0; i < 3; i++) await fn();
    const xs: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      await fn();
      xs.push(performance.now() - t0);
    }
    ctx.log(`part ${name}: p50 ${round(percentile(xs, 50), 2)} ms, p99 ${round(percentile(xs, 99), 2)} ms`);
    out[name] = xs;
  };
  const out: Record<string, number[]> = {};
  const spawnBash = (cmd: string) =>
    new Promise<void>((resolve, reject) => {
      const child = spawn('bash', ['-c', cmd], { cwd: learner.workspace, env: learner.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      child.stdout.resume();
      child.stderr.resume();
      child.once('error', reject);
      child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd}: exit ${code}`))));
    });
  await timed('bash -c true (spawn, as the shell checker does)', s.microRuns * 5, () => spawnBash('true'));
  await timed("docker image inspect myrepo:latest (CLI, no bash)", s.microRuns, () =>
    execFileP('docker', ['image', 'inspect', '--format', '{{.Id}}', 'myrepo:latest'], { env: learner.env }),
  );
  await timed('aws ecs list-tasks (one AWS CLI v2 call through the wrapper)', Math.max(5, s.microRuns / 2), () =>
    spawnBash('aws ecs list-tasks --cluster hello-cluster --family hello-ecs --desired-status RUNNING --query "taskArns[0]" --output text >/dev/null'),
  );
  await timed('bash task-url.sh (2 AWS CLI calls)', Math.max(5, s.microRuns / 2), () => spawnBash('bash task-url.sh hello-cluster hello-ecs >/dev/null'));

  // The in-process alternatives (proposals, not checkers that exist): what the same answers cost without spawning.
  const aws = await createAwsClients(learner.access);
  const docker = new Docker({ socketPath: learner.access.dockerHost!.slice('unix://'.length) });
  try {
    await timed('SDK ListTasks + DescribeTasks + GET the published port (in process)', s.microRuns * 5, async () => {
      const list = await aws.ecs.send(new ListTasksCommand({ cluster: 'hello-cluster', family: 'hello-ecs', desiredStatus: 'RUNNING' }));
      const d = await aws.ecs.send(new DescribeTasksCommand({ cluster: 'hello-cluster', tasks: list.taskArns!.slice(0, 1) }));
      const port = d.tasks?.[0]?.containers?.[0]?.networkBindings?.find((b) => b.containerPort === 80)?.hostPort;
      const body = await (await fetch(`http://127.0.0.1:${port}/`)).text();
      if (!body.includes('Hello From ECS')) throw new Error('page without Hello From ECS');
    });
    await timed('Docker Engine API GET /images/myrepo:latest/json (dockerode, in process)', s.microRuns * 5, () => docker.getImage('myrepo:latest').inspect());
  } finally {
    aws.dispose();
  }
  return out;
}

/**
 * The image the solve's `docker build` made, and its parents, as long as they did not exist before this run
 * (podman's build cache often hands back an image somebody else built: then nothing is ours to remove). The
 * storage is shared with other engineers, so an image is removed only if no name but the learner's names it,
 * and never with --force.
 */
async function removeBuiltImages(ctx: BenchContext, built: string, before: Set<string>): Promise<void> {
  const mine: string[] = [];
  for (let id: string | undefined = built; id && !before.has(id); ) {
    mine.push(id);
    id = normalizeId((await tool(PODMAN, ['image', 'inspect', '--format', '{{.Parent}}', id]).catch(() => '')).trim()) || undefined;
  }
  if (mine.length === 0) {
    ctx.log(`the learner's myrepo:latest (${built.slice(0, 12)}) came from podman's build cache: nothing to remove`);
    return;
  }
  const namesOf = async (id: string) => (await tool(PODMAN, ['image', 'inspect', '--format', '{{join .RepoTags " "}}', id]).catch(() => '')).split(' ').filter(Boolean);
  // Somebody else's build may have got our image from the cache and tagged it too: then it is shared, and stays.
  const shared = (await namesOf(built)).filter((n) => n !== 'localhost/myrepo:latest');
  if (shared.length > 0) {
    ctx.log(`kept the learner's image ${built.slice(0, 12)}: also named ${shared.join(' ')}`);
    return;
  }
  await tool(PODMAN, ['untag', built, 'localhost/myrepo:latest']).catch(() => undefined);
  for (const id of mine) {
    const names = (await namesOf(id)).join(' ');
    if (names) {
      ctx.log(`kept image ${id.slice(0, 12)}: also named ${names}`);
      continue;
    }
    await tool(PODMAN, ['rmi', '--ignore', id]).then(
      () => ctx.log(`removed the learner's image ${id.slice(0, 12)}`),
      (err: Error) => ctx.log(`kept image ${id.slice(0, 12)}: ${err.message.split('\n')[0]}`),
    );
  }
}

/** Image ids without the `sha256:` prefix podman prints with --no-trunc. */
export function normalizeId(id: string): string {
  return id.replace(/^sha256:/, '');
}

// --- report -----------------------------------------------------------------------------------------------

function report(s: Settings, r: RenderResult | undefined, c: ChecksResult | undefined): BenchReport {
  const p = (xs: number[], q: number) => round(percentile(xs, q), 2);
  const figures: BenchFigure[] = [];
  if (c) {
    const sumBy = (pred: (key: string) => boolean) =>
      c.totalMs.map((_, run) => Object.entries(c.byCheck).filter(([k]) => pred(k)).reduce((n, [, xs]) => n + (xs[run] ?? 0), 0));
    const isAws = (k: string) => /:ec[rs]\./.test(k);
    const isShell = (k: string) => k.endsWith(':shell');
    const awsOnly = sumBy(isAws);
    const noShell = sumBy((k) => !isShell(k));
    const allChecks = sumBy(() => true);
    // The grading service's own work per run: variables, progress view, and one SQLite attempt (synchronous=FULL) per step.
    const service = c.totalMs.map((t, i) => t - allChecks[i]!);
    const totalNoShell = c.totalMs.map((t, i) => t - (allChecks[i]! - noShell[i]!));
    figures.push(
      { metric: `all ${c.checkCount} checks of ${LAB}, Check all steps (checkAll), p50`, value: p(c.checkAllMs, 50), unit: 'ms' },
      { metric: `all ${c.checkCount} checks of ${LAB}, Check all steps (checkAll), p99`, value: p(c.checkAllMs, 99), unit: 'ms', target: { max: CHECKS_TARGET_MS } },
      { metric: `the same step by step (checkStep per step, in order), p50`, value: p(c.totalMs, 50), unit: 'ms' },
      { metric: `the same step by step (checkStep per step, in order), p99`, value: p(c.totalMs, 99), unit: 'ms' },
      { metric: 'step by step, without the shell checks (run time minus their time), p99', value: p(totalNoShell, 99), unit: 'ms', reference: `p50 ${p(totalNoShell, 50)}` },
      { metric: 'the checks other than shell alone (sum of runCheck), p99', value: p(noShell, 99), unit: 'ms', reference: `p50 ${p(noShell, 50)}` },
      { metric: 'grading service outside the checks, per run of all steps, p50', value: p(service, 50), unit: 'ms', reference: `p99 ${p(service, 99)}` },
      { metric: 'the AWS (SDK) checks alone (sum), p99', value: p(awsOnly, 99), unit: 'ms', reference: `p50 ${p(awsOnly, 50)}` },
      { metric: 'client CPU per full run (median)', value: round(median(c.clientCpuMs), 1), unit: 'ms' },
      { metric: 'sandbox CPU per full run (median)', value: round(median(c.sandboxCpuMs), 1), unit: 'ms' },
    );
    for (const [key, xs] of Object.entries(c.byCheck)) {
      figures.push({ metric: `  ${key} p50`, value: p(xs, 50), unit: 'ms', reference: `p99 ${p(xs, 99)}${c.notPassed[key] ? `; not passed ${c.notPassed[key]}×` : ''}` });
    }
    for (const [name, xs] of Object.entries(c.micro)) figures.push({ metric: `part: ${name} p50`, value: p(xs, 50), unit: 'ms', reference: `p99 ${p(xs, 99)}` });
  }
  if (r) {
    figures.push(
      { metric: 'lab load + render, cold (new catalog) p50', value: p(r.coldMs, 50), unit: 'ms' },
      { metric: 'lab load + render, cold (new catalog) p99', value: p(r.coldMs, 99), unit: 'ms', target: { max: RENDER_TARGET_MS } },
      { metric: 'lab render, cached parse (same catalog) p50', value: p(r.cachedMs, 50), unit: 'ms' },
      { metric: 'lab render, cached parse (same catalog) p99', value: p(r.cachedMs, 99), unit: 'ms', target: { max: RENDER_TARGET_MS } },
      { metric: '  parse (loadLabFolder) p50', value: p(r.parseMs, 50), unit: 'ms', reference: `p99 ${p(r.parseMs, 99)}` },
      { metric: '  render (renderLabView) p50', value: p(r.renderMs, 50), unit: 'ms', reference: `p99 ${p(r.renderMs, 99)}` },
      { metric: 'first view in a fresh process (JIT cold, markdown-it built)', value: round(r.firstEverMs, 1), unit: 'ms' },
    );
  }
  return {
    figures,
    method: {
      checks: c
        ? {
            how: `GradingService.checkAll(learner, '${LAB}') as the "Check all steps" button runs it (every step's checks side by side, progress recorded in SQLite); and, for the per-check breakdown, GradingService.checkStep(learner, '${LAB}', step, 'button') for each step with checks in order, as the Check button runs them; a CheckerRegistry subclass times each runCheck inside it`,
            sandbox: '`labrunner sandbox --port <free> --data-dir <tmp>` as its own process, with setup-system\'s registry TLS (ECR-shaped registry host), as `labrunner serve` starts it',
            learnerState: 'solved: the lab\'s solve/*.sh run in step order with bash in the learner\'s workspace and environment (server/workspace shellEnvironment + server/aws awsShellVariables, the aws wrapper on PATH, DOCKER_HOST = the sandbox\'s podman service)',
            runs: `1 untimed run, then ${s.checkRuns} timed runs back to back`,
            labMd: c.labMd,
            parts: `each alone, after 3 warm-ups: ${s.microRuns}–${s.microRuns * 5} runs`,
          }
        : 'not run',
      render: r
        ? {
            cold: 'new FileLabCatalog(labs/) and view(lab, learner): stat stamps, read lab.md, list solve/ files/ assets/, parse, resolve variables, render Markdown',
            cached: 'the same FileLabCatalog: stat stamps (parse cached), resolve variables, render Markdown (the view is not cached)',
            runs: `${s.renderRuns} of each, interleaved, after 20 unrecorded`,
            htmlBytes: r.htmlBytes,
          }
        : 'not run',
    },
    samples: {
      ...(c
        ? {
            solveRuns: c.solveRuns.map(({ step, exitCode, seconds }) => ({ step, exitCode, seconds })),
            firstRun: c.firstRun,
            notPassed: c.notPassed,
            loadAverageEvery10Runs: c.loadAverage,
            totalMs: c.totalMs.map((v) => round(v, 2)),
            checkAllMs: c.checkAllMs.map((v) => round(v, 2)),
            clientCpuMs: c.clientCpuMs.map((v) => round(v, 1)),
            sandboxCpuMs: c.sandboxCpuMs.map((v) => round(v, 1)),
            byCheckMs: Object.fromEntries(Object.entries(c.byCheck).map(([k, xs]) => [k, xs.map((v) => round(v, 2))])),
            partsMs: Object.fromEntries(Object.entries(c.micro).map(([k, xs]) => [k, xs.map((v) => round(v, 2))])),
          }
        : {}),
      ...(r
        ? { render: { firstEverMs: round(r.firstEverMs, 2), coldMs: r.coldMs.map((v) => round(v, 3)), cachedMs: r.cachedMs.map((v) => round(v, 3)), parseMs: r.parseMs.map((v) => round(v, 3)), renderMs: r.renderMs.map((v) => round(v, 3)) } }
        : {}),
    },
  };
}

