import { CreateRepositoryCommand, ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { CreateClusterCommand, DescribeTasksCommand, ECSClient, RegisterTaskDefinitionCommand, RunTaskCommand, StopTaskCommand, type Task } from '@aws-sdk/client-ecs';
import Docker from 'dockerode';
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildHelloImage } from '../test/sandbox/ecs-fixture.ts';
import { PODMAN, SKOPEO, startBenchSandbox, tool, type BenchSandbox } from './lib/ecs-sandbox.ts';
import { cpuSeconds } from './lib/server-process.ts';
import { median, percentile, round } from './lib/stats.ts';
import type { BenchContext, BenchFigure, BenchReport, BenchSuite } from './lib/suite.ts';

const CLUSTER = 'bench';
const FAMILY = 'hello';
const FARGATE = { awsvpcConfiguration: { subnets: ['subnet-12345678'], securityGroups: ['sg-12345678'], assignPublicIp: 'ENABLED' as const } };
const HELLO = 'Hello From ECS\n';

/**
 * ECS tasks through the real sandbox process and SDK v3: RunTask → RUNNING and → first HTTP 200 of the busybox
 * "Hello From ECS" image (with the image already in podman's storage, and cold: its pulled copy removed first),
 * ten tasks at once (one RunTask with count 10, and ten concurrent RunTasks), and the same container started
 * straight on the podman service (Docker Engine API, no sandbox) as the floor.
 */
const ecs: BenchSuite = {
  description: 'ecs: RunTask → RUNNING / → HTTP 200 (warm and cold image), 10 tasks at once, podman floor',
  async run(ctx) {
    const s = settings(ctx);
    const sandbox = await startBenchSandbox({ tls: s.tls });
    ctx.log(`sandbox pid ${sandbox.pid} at ${sandbox.endpoint} (TLS ${sandbox.tls}, naming ${sandbox.registryHostNaming}), engine ${sandbox.dockerHost}`);
    let env: Env | undefined;
    try {
      env = await prepare(ctx, sandbox);
      const cold: SingleSample[] = [];
      for (let i = 0; i < s.coldRuns; i++) {
        // The task pulls the image: remove the copy the previous run pulled (the locally built original is gone).
        await tool(PODMAN, ['rmi', '--ignore', env.image]);
        cold.push(await single(ctx, env, `cold ${i + 1}/${s.coldRuns}`, s.pollMs));
      }
      const warm: SingleSample[] = [];
      const floor: FloorSample[] = [];
      for (let i = 0; i < s.runs; i++) {
        warm.push(await single(ctx, env, `warm ${i + 1}/${s.runs}`, s.pollMs));
        floor.push(await engineFloor(ctx, env, `floor ${i + 1}/${s.runs}`, s.pollMs, false));
        floor.push(await engineFloor(ctx, env, `floor with the task's limits ${i + 1}/${s.runs}`, s.pollMs, true));
      }
      const bursts: BurstSample[] = [];
      for (let i = 0; i < s.burstRuns; i++) {
        for (const mode of ['count', 'concurrent'] as const) bursts.push(await burst(ctx, env, mode, s.burstSize, s.pollMs));
      }
      return report(s, sandbox, cold, warm, floor, bursts);
    } finally {
      env?.dispose();
      await sandbox.stop();
    }
  },
};
export default ecs;

interface Settings {
  runs: number;
  coldRuns: number;
  burstRuns: number;
  burstSize: number;
  pollMs: number;
  tls: boolean;
}

function settings(ctx: BenchContext): Settings {
  const num = (key: string, fallback: number) => (ctx.settings[key] === undefined ? fallback : Number(ctx.settings[key]));
  return {
    runs: ctx.runs,
    coldRuns: num('coldRuns', 3),
    burstRuns: num('burstRuns', 3),
    burstSize: num('burstSize', 10),
    pollMs: num('pollMs', 20),
    tls: ctx.settings['tls'] !== 'false',
  };
}

interface Env {
  sandbox: BenchSandbox;
  ecs: ECSClient;
  docker: Docker;
  image: string;
  password: string;
  registry: string;
  dispose(): void;
}

async function prepare(ctx: BenchContext, sandbox: BenchSandbox): Promise<Env> {
  const access = await sandbox.access('bench');
  const config = { endpoint: sandbox.endpoint, region: access.region, credentials: access.credentials, maxAttempts: 1 };
  const ecr = new ECRClient(config);
  const ecsClient = new ECSClient(config);
  try {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'hello' }));
    const token = await ecr.send(new GetAuthorizationTokenCommand({}));
    const password = Buffer.from(token.authorizationData![0]!.authorizationToken!, 'base64').toString().slice('AWS:'.length);
    const image = `${access.registry}/hello:v1`;
    const hello = await buildHelloImage();
    try {
      await tool(SKOPEO, ['copy', '--quiet', `containers-storage:${hello.name}`, `docker://${image}`, '--dest-creds', `AWS:${password}`, '--dest-tls-verify=false']);
    } finally {
      // Only the registry holds the image now, so a task's first pull really fetches it.
      await hello.dispose();
    }
    ctx.log(`pushed ${image}`);
    await ecsClient.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    await ecsClient.send(
      new RegisterTaskDefinitionCommand({
        family: FAMILY,
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        cpu: '256',
        memory: '512',
        // busybox httpd as PID 1 ignores SIGTERM: a short stop timeout keeps the runs apart without waiting 30 s.
        containerDefinitions: [{ name: 'web', image, essential: true, portMappings: [{ containerPort: 80, protocol: 'tcp' }], stopTimeout: 1 }],
      }),
    );
    const docker = new Docker({ socketPath: sandbox.dockerHost.slice('unix://'.length) });
    return {
      sandbox,
      ecs: ecsClient,
      docker,
      image,
      password,
      registry: access.registry!,
      dispose: () => {
        ecr.destroy();
        ecsClient.destroy();
      },
    };
  } catch (err) {
    ecr.destroy();
    ecsClient.destroy();
    throw err;
  }
}

interface SingleSample {
  label: string;
  /** Client-side, from just before RunTask is sent. */
  runTaskResponseMs: number;
  runningMs: number;
  http200Ms: number;
  /** Server-side phases from the task's own timestamps (ms). */
  phases: { createdAfterSendMs: number; toPullStartMs: number; pullMs: number; createStartMs: number; startedToRunningSeenMs: number };
  sandboxCpuMs: number;
  loadAverage1m: number;
}

const ms = (d: Date | undefined) => d?.getTime() ?? NaN;

async function single(ctx: BenchContext, env: Env, label: string, pollMs: number): Promise<SingleSample> {
  const cpu0 = cpuSeconds(env.sandbox.pid);
  const wall0 = Date.now();
  const t0 = performance.now();
  const out = await env.ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: FAMILY, launchType: 'FARGATE', networkConfiguration: FARGATE }));
  const tResponse = performance.now();
  const arn = out.tasks?.[0]?.taskArn;
  if (!arn) throw new Error(`RunTask failed: ${JSON.stringify(out.failures)}`);
  const [task] = await untilRunning(env, [arn], pollMs);
  const tRunning = performance.now();
  const wallRunning = Date.now();
  await untilHello(publishedPort(task!), pollMs);
  const tHttp = performance.now();
  const cpu1 = cpuSeconds(env.sandbox.pid);
  await stopAll(env, [arn], pollMs);
  const t = task!;
  const sample: SingleSample = {
    label,
    runTaskResponseMs: round(tResponse - t0, 1),
    runningMs: round(tRunning - t0, 1),
    http200Ms: round(tHttp - t0, 1),
    phases: {
      createdAfterSendMs: ms(t.createdAt) - wall0,
      toPullStartMs: ms(t.pullStartedAt) - ms(t.createdAt),
      pullMs: ms(t.pullStoppedAt) - ms(t.pullStartedAt),
      createStartMs: ms(t.startedAt) - ms(t.pullStoppedAt),
      startedToRunningSeenMs: wallRunning - ms(t.startedAt),
    },
    sandboxCpuMs: round((cpu1 - cpu0) * 1000),
    loadAverage1m: round(loadavg()[0]!, 2),
  };
  ctx.log(`${label}: RUNNING ${sample.runningMs} ms, HTTP 200 ${sample.http200Ms} ms; phases ${JSON.stringify(sample.phases)}; sandbox CPU ${sample.sandboxCpuMs} ms; load ${sample.loadAverage1m}`);
  return sample;
}

/** Polls DescribeTasks until every task is RUNNING; a task that stops instead is an error. Returns them in order. */
async function untilRunning(env: Env, arns: string[], pollMs: number, onRunning?: (arn: string) => void, timeoutMs = 120_000): Promise<Task[]> {
  const deadline = Date.now() + timeoutMs;
  const seen = new Map<string, Task>();
  for (;;) {
    const pending = arns.filter((a) => !seen.has(a));
    const out = await env.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: pending }));
    for (const t of out.tasks ?? []) {
      if (t.lastStatus === 'STOPPED') throw new Error(`task stopped: ${t.stoppedReason} ${JSON.stringify(t.containers?.map((c) => c.reason))}`);
      if (t.lastStatus === 'RUNNING') {
        seen.set(t.taskArn!, t);
        onRunning?.(t.taskArn!);
      }
    }
    if (seen.size === arns.length) return arns.map((a) => seen.get(a)!);
    if (Date.now() > deadline) throw new Error(`tasks not RUNNING after ${timeoutMs} ms`);
    await sleep(pollMs);
  }
}

function publishedPort(t: Task): number {
  const b = t.containers?.flatMap((c) => c.networkBindings ?? []).find((n) => n.containerPort === 80);
  if (!b?.hostPort) throw new Error(`no binding for port 80: ${JSON.stringify(t.containers)}`);
  return b.hostPort;
}

/** Polls GET / until it answers 200 with the page (connection refused while the server starts is retried). */
async function untilHello(port: number, pollMs: number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) });
      const body = await res.text();
      if (res.status === 200 && body === HELLO) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`port ${port} never answered 200`);
    await sleep(pollMs);
  }
}

async function stopAll(env: Env, arns: string[], pollMs: number): Promise<void> {
  await Promise.all(arns.map((task) => env.ecs.send(new StopTaskCommand({ cluster: CLUSTER, task }))));
  const deadline = Date.now() + 60_000;
  for (;;) {
    const out = await env.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: arns }));
    if ((out.tasks ?? []).every((t) => t.lastStatus === 'STOPPED')) return;
    if (Date.now() > deadline) throw new Error('tasks did not stop');
    await sleep(Math.max(pollMs, 100));
  }
}

interface BurstSample {
  mode: 'count' | 'concurrent';
  tasks: number;
  /** Until the last RunTask answered. */
  acceptedMs: number;
  allRunningMs: number;
  allHttp200Ms: number;
  /** Per task, when DescribeTasks first showed it RUNNING. */
  runningMs: number[];
  sandboxCpuMs: number;
  loadAverage1m: number;
}

async function burst(ctx: BenchContext, env: Env, mode: 'count' | 'concurrent', size: number, pollMs: number): Promise<BurstSample> {
  const input = { cluster: CLUSTER, taskDefinition: FAMILY, launchType: 'FARGATE' as const, networkConfiguration: FARGATE };
  const cpu0 = cpuSeconds(env.sandbox.pid);
  const t0 = performance.now();
  const outs =
    mode === 'count'
      ? [await env.ecs.send(new RunTaskCommand({ ...input, count: size }))]
      : await Promise.all(Array.from({ length: size }, () => env.ecs.send(new RunTaskCommand(input))));
  const tAccepted = performance.now();
  const arns = outs.flatMap((o) => o.tasks?.map((t) => t.taskArn!) ?? []);
  if (arns.length !== size) throw new Error(`RunTask started ${arns.length} of ${size} tasks: ${JSON.stringify(outs.map((o) => o.failures))}`);
  const runningAt = new Map<string, number>();
  const tasks = await untilRunning(env, arns, pollMs, (a) => runningAt.set(a, performance.now() - t0));
  const tRunning = performance.now();
  await Promise.all(tasks.map((t) => untilHello(publishedPort(t), pollMs)));
  const tHttp = performance.now();
  const cpu1 = cpuSeconds(env.sandbox.pid);
  await stopAll(env, arns, pollMs);
  const sample: BurstSample = {
    mode,
    tasks: size,
    acceptedMs: round(tAccepted - t0, 1),
    allRunningMs: round(tRunning - t0, 1),
    allHttp200Ms: round(tHttp - t0, 1),
    runningMs: [...runningAt.values()].sort((a, b) => a - b).map((v) => round(v, 1)),
    sandboxCpuMs: round((cpu1 - cpu0) * 1000),
    loadAverage1m: round(loadavg()[0]!, 2),
  };
  ctx.log(`burst (${mode}, ${size}): accepted ${sample.acceptedMs} ms, all RUNNING ${sample.allRunningMs} ms, all HTTP 200 ${sample.allHttp200Ms} ms; first RUNNING ${sample.runningMs[0]} ms; sandbox CPU ${sample.sandboxCpuMs} ms; load ${sample.loadAverage1m}`);
  return sample;
}

interface FloorSample {
  /** With the task's limits (Memory 512 MiB, NanoCpus 0.25 CPU, as the sandbox creates it), or none. */
  limits: boolean;
  pullMs: number;
  createMs: number;
  startMs: number;
  inspectMs: number;
  http200Ms: number;
  totalToRunningMs: number;
  totalToHttpMs: number;
}

/**
 * The same container on the same podman service, straight through the Docker Engine API (dockerode) with no
 * sandbox in between: pull (image present: manifest check), create (bridge, 80 on a free 127.0.0.1 port), start,
 * inspect, then GET until 200. What a task start cannot go below on this machine.
 */
async function engineFloor(ctx: BenchContext, env: Env, label: string, pollMs: number, limits: boolean): Promise<FloorSample> {
  const d = env.docker;
  const t0 = performance.now();
  const stream = await d.pull(env.image, { authconfig: { username: 'AWS', password: env.password, serveraddress: env.registry } });
  await new Promise<void>((resolve, reject) => d.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve())));
  const t1 = performance.now();
  const c = await d.createContainer({
    Image: env.image,
    Labels: { 'org.labrunner.bench': `ecs-${env.sandbox.port}` },
    ExposedPorts: { '80/tcp': {} },
    HostConfig: {
      NetworkMode: 'bridge',
      PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] },
      // What sandbox/ecs/container-spec.ts derives from the task definition's cpu 256 / memory 512.
      ...(limits ? { Memory: 512 * 1024 * 1024, NanoCpus: 250_000_000 } : {}),
    },
  });
  const t2 = performance.now();
  try {
    await c.start();
    const t3 = performance.now();
    const info = await c.inspect();
    const t4 = performance.now();
    if (!info.State.Running) throw new Error(`floor container not running: ${info.State.Status}`);
    const port = Number(info.NetworkSettings.Ports['80/tcp']?.[0]?.HostPort);
    await untilHello(port, pollMs);
    const t5 = performance.now();
    const sample: FloorSample = {
      limits,
      pullMs: round(t1 - t0, 1),
      createMs: round(t2 - t1, 1),
      startMs: round(t3 - t2, 1),
      inspectMs: round(t4 - t3, 1),
      http200Ms: round(t5 - t4, 1),
      totalToRunningMs: round(t4 - t0, 1),
      totalToHttpMs: round(t5 - t0, 1),
    };
    ctx.log(`${label}: ${JSON.stringify(sample)}`);
    return sample;
  } finally {
    await c.remove({ force: true }).catch(() => undefined);
  }
}

function report(s: Settings, sandbox: BenchSandbox, cold: SingleSample[], warm: SingleSample[], floor: FloorSample[], bursts: BurstSample[]): BenchReport {
  const p = (xs: number[], q: number) => round(percentile(xs, q), 1);
  const stats = (xs: number[]) => ({ p50: p(xs, 50), p90: p(xs, 90), max: round(Math.max(...xs), 1) });
  const phase = (xs: SingleSample[], k: keyof SingleSample['phases']) => round(median(xs.map((x) => x.phases[k])), 1);
  const figures: BenchFigure[] = [];
  const singles = (name: string, xs: SingleSample[]) => {
    if (xs.length === 0) return;
    const run = stats(xs.map((x) => x.runningMs));
    const http = stats(xs.map((x) => x.http200Ms));
    figures.push(
      { metric: `${name}: RunTask → RUNNING p50`, value: run.p50, unit: 'ms', reference: `p90 ${run.p90}, max ${run.max} (${xs.length} runs)` },
      { metric: `${name}: RunTask → first HTTP 200 p50`, value: http.p50, unit: 'ms', reference: `p90 ${http.p90}, max ${http.max}` },
      { metric: `${name}: RunTask response p50`, value: p(xs.map((x) => x.runTaskResponseMs), 50), unit: 'ms' },
      { metric: `${name}: pull (pullStartedAt → pullStoppedAt) median`, value: phase(xs, 'pullMs'), unit: 'ms' },
      { metric: `${name}: create+start (pullStoppedAt → startedAt) median`, value: phase(xs, 'createStartMs'), unit: 'ms' },
      { metric: `${name}: container started → RUNNING seen median`, value: phase(xs, 'startedToRunningSeenMs'), unit: 'ms' },
      { metric: `${name}: sandbox CPU per task start median`, value: round(median(xs.map((x) => x.sandboxCpuMs))), unit: 'ms' },
    );
  };
  singles('warm image', warm);
  singles('cold image', cold);
  for (const limits of [false, true]) {
    const xs = floor.filter((x) => x.limits === limits);
    if (xs.length === 0) continue;
    const f = (k: Exclude<keyof FloorSample, 'limits'>) => round(median(xs.map((x) => x[k])), 1);
    const name = limits ? 'podman floor, task limits' : 'podman floor, no limits';
    figures.push(
      { metric: `${name}: pull+create+start+inspect median`, value: f('totalToRunningMs'), unit: 'ms', reference: `pull ${f('pullMs')}, create ${f('createMs')}, start ${f('startMs')}, inspect ${f('inspectMs')}` },
      { metric: `${name}: → HTTP 200 median`, value: f('totalToHttpMs'), unit: 'ms' },
    );
  }
  for (const mode of ['count', 'concurrent'] as const) {
    const xs = bursts.filter((b) => b.mode === mode);
    if (xs.length === 0) continue;
    const what = mode === 'count' ? `one RunTask count=${s.burstSize}` : `${s.burstSize} concurrent RunTasks`;
    figures.push(
      { metric: `${what}: all RUNNING (median)`, value: round(median(xs.map((x) => x.allRunningMs)), 1), unit: 'ms', reference: `runs ${xs.map((x) => x.allRunningMs).join(', ')}` },
      { metric: `${what}: all HTTP 200 (median)`, value: round(median(xs.map((x) => x.allHttp200Ms)), 1), unit: 'ms', reference: `runs ${xs.map((x) => x.allHttp200Ms).join(', ')}` },
      { metric: `${what}: first RUNNING (median)`, value: round(median(xs.map((x) => x.runningMs[0]!)), 1), unit: 'ms' },
      { metric: `${what}: sandbox CPU (median)`, value: round(median(xs.map((x) => x.sandboxCpuMs))), unit: 'ms' },
    );
  }
  return {
    figures,
    method: {
      sandbox: `\`labrunner sandbox --port <free> --data-dir <tmp>\` as its own process (default ecsIntervalMs 1000); registry TLS ${sandbox.tls}, naming ${sandbox.registryHostNaming}; tasks on the podman service it starts (${sandbox.dockerHost})`,
      image: 'test/sandbox/ecs-fixture.ts buildHelloImage (FROM scratch, static busybox httpd serving "Hello From ECS" on 80, ~2 MB), skopeo-pushed to the learner repository; the locally built copy is removed, so only the registry has it',
      taskDefinition: 'awsvpc, FARGATE, cpu 256 / memory 512, one essential container `web` with containerPort 80, stopTimeout 1',
      timing: `client-side (SDK v3 ECSClient on loopback): from just before RunTask is sent; DescribeTasks polled every ${s.pollMs} ms until RUNNING, then GET http://127.0.0.1:<hostPort>/ polled every ${s.pollMs} ms until 200 with the page. Phases from the task's own createdAt/pullStartedAt/pullStoppedAt/startedAt (the container's start time from the engine)`,
      warm: `${s.runs} runs, image already pulled into podman storage by the cold runs (the runner still pulls: the registry is asked for the manifest)`,
      cold: `${s.coldRuns} runs, each after \`podman rmi\` of the pulled image`,
      floor: 'after each warm run, the same image straight through the Docker Engine API on the same podman socket, twice (no limits; Memory 512 MiB + NanoCpus 0.25e9 as the sandbox sets for cpu 256 / memory 512): pull (present), create (bridge, 127.0.0.1 free port), start, inspect, GET until 200',
      bursts: `${s.burstRuns} × (one RunTask with count ${s.burstSize}, then ${s.burstSize} concurrent RunTask calls); all RUNNING = the last task seen RUNNING by DescribeTasks; all HTTP = every task's port answered 200`,
      runs: 'sequential; every task is stopped (and STOPPED) before the next run',
    },
    samples: { cold, warm, floor, bursts },
  };
}
