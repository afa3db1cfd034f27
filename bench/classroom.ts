import { createServer } from 'node:net';
import { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ClassroomCreatedView, DashboardStudentView, DashboardView, LabProgressView } from '../server/core/protocol.ts';
import { ensureClientBuilt } from '../cli/client-bundle.ts';
import { CliServer } from '../test/helpers/cli-server.ts';
import { ask, connectSocket, sessionCookie, StudentTerminal, treeMemory, type ClassSocket, type TreeMemory } from './lib/classroom-clients.ts';
import { cpuSeconds, MiB, npmStart } from './lib/server-process.ts';
import { percentile, round } from './lib/stats.ts';
import type { BenchContext, BenchFigure, BenchSuite } from './lib/suite.ts';

const LAB = 'ecr-hello-ecs';
/** Step 1 of the lab: its check (`ecr.repository-exists`) asks the sandbox. */
const STEP = 'create-repo';
const CREATE_REPO = 'aws ecr create-repository --repository-name myrepo --image-scanning-configuration scanOnPush=true >/dev/null; echo "repo""-made=$?"';
const PS1 = 'LRB> ';
const PROMPT = /LRB> $/;
/** What a student types between checks: builtins and small programs, as someone reading a lab would. */
const COMMANDS = ['ls', 'pwd', 'echo hello', 'date', 'whoami', 'ls -la', 'cat /etc/hostname', 'uname -r'];

const TARGETS = { echoP99Ms: 50, dashboardP99Ms: 1000, mibPerStudent: 20 };

/**
 * A class on one machine (issue #6): N students join through the real routes and each keep a live shell
 * (typing a short command every few seconds, keystroke by keystroke) and press Check every 10 s, while 2
 * instructors have the dashboard open; midway every student creates their repository with the `aws` wrapper,
 * so their row turns green. Against `labrunner serve` as a child process with the embedded sandbox.
 */
const classroom: BenchSuite = {
  description: `classroom: students join, type and check ${LAB} step 1 every 10 s while 2 dashboards watch`,
  async run(ctx) {
    const s = settings(ctx);
    await ensureClientBuilt(() => undefined);
    const server = await CliServer.start(['--sandbox-port', String(await freePort())], npmStart());
    const clients: Array<{ close(): void }> = [];
    try {
      return await measure(server, s, ctx, clients);
    } finally {
      for (const c of clients) c.close();
      await server.stop();
    }
  },
};
export default classroom;

interface Settings {
  students: number;
  loadSeconds: number;
  commandEverySeconds: number;
  checkEverySeconds: number;
  joinConcurrency: number;
}

function settings(ctx: BenchContext): Settings {
  const num = (key: string, fallback: number) => (ctx.settings[key] === undefined ? fallback : Number(ctx.settings[key]));
  return {
    students: num('students', 100),
    loadSeconds: num('loadSeconds', 120),
    commandEverySeconds: num('commandEvery', 4),
    checkEverySeconds: num('checkEvery', 10),
    joinConcurrency: num('joinConcurrency', 10),
  };
}

interface Student {
  index: number;
  learnerId: string;
  socket: ClassSocket;
  terminal: StudentTerminal;
  /** Check presses on the step so far, as the last answer said. */
  attempts: number;
  /**
   * The check in flight: when it was sent, when its answer came, and when each dashboard got the row that
   * counts it (a row with `expectAttempts` attempts: rows also go out for every command a student runs).
   */
  check?: { sentAt: number; expectAttempts: number; repliedAt?: number; seenBy: Map<number, number> };
  lastProgress?: LabProgressView;
}

interface Dashboard {
  index: number;
  socket: ClassSocket;
  rows: Map<string, DashboardStudentView>;
}

async function measure(server: CliServer, s: Settings, ctx: BenchContext, clients: Array<{ close(): void }>) {
  const url = server.url;
  const pid = server.child.pid!;
  await sleep(3000);
  const baseline = treeMemory(pid);
  ctx.log(`server up: RSS ${mib(baseline.serverRss)} MiB, tree ${mib(baseline.treeRss)} MiB in ${baseline.processes} processes`);

  // The owner (local mode: a loopback request) creates the classroom; two instructors open its dashboard.
  const created = await json<ClassroomCreatedView>(
    await fetch(`${url}/api/classrooms`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Bench class', labIds: [LAB] }) }),
    201,
  );
  const classroomId = created.classroom.id;
  const dashboards: Dashboard[] = [];
  const students = new Map<string, Student>();
  const dashboardLatencyMs = new TimedSamples();
  const sendToDashboardMs = new TimedSamples();
  let checksWithoutUpdate = 0;
  for (let i = 0; i < 2; i++) {
    const login = await fetch(created.instructorUrl, { redirect: 'manual' });
    if (login.status !== 303) throw new Error(`instructor link answered ${login.status}`);
    const { socket } = await connectSocket(url, sessionCookie(login));
    clients.push(socket);
    const dashboard: Dashboard = { index: i, socket, rows: new Map() };
    socket.on('dashboard:student', ({ student }) => {
      const at = performance.now();
      dashboard.rows.set(student.learnerId, student);
      const check = students.get(student.learnerId)?.check;
      const attempts = student.labs[LAB]?.steps[STEP]?.attempts ?? 0;
      if (!check || check.seenBy.has(i) || attempts < check.expectAttempts) return;
      check.seenBy.set(i, at);
      sendToDashboardMs.push(at - check.sentAt);
      // An update that beat the answer to the student is counted when the answer comes (below).
      if (check.repliedAt !== undefined) dashboardLatencyMs.push(at - check.repliedAt);
    });
    const view = await ask<DashboardView>((reply) => socket.emit('dashboard:open', { classroomId }, reply));
    for (const row of view.students) dashboard.rows.set(row.learnerId, row);
    dashboards.push(dashboard);
  }

  // Students join, open the lab page's socket and their terminal, a few at a time.
  const joinMs: number[] = [];
  const joinStart = performance.now();
  let next = 0;
  const joinOne = async (index: number) => {
    const t0 = performance.now();
    const res = await fetch(`${url}/api/join`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: url },
      body: JSON.stringify({ code: created.classroom.joinCode, displayName: `Student ${index + 1}` }),
    });
    await json(res, 200);
    const cookie = sessionCookie(res);
    const { socket, session } = await connectSocket(url, cookie);
    clients.push(socket);
    const learnerId = session.learnerId!;
    const progress = await ask<LabProgressView>((reply) => socket.emit('lab:open', { labId: LAB }, reply));
    const terminal = await StudentTerminal.connect(url, cookie, learnerId, LAB);
    clients.push(terminal);
    await terminal.waitForMessage('attached');
    terminal.type(`PS1='${PS1}'\r`);
    await terminal.waitFor(PROMPT);
    students.set(learnerId, { index, learnerId, socket, terminal, attempts: progress.steps[STEP]?.attempts ?? 0 });
    joinMs.push(performance.now() - t0);
  };
  await Promise.all(
    Array.from({ length: s.joinConcurrency }, async () => {
      while (next < s.students) await joinOne(next++);
    }),
  );
  const joinSeconds = (performance.now() - joinStart) / 1000;
  await sleep(2000);
  const joined = treeMemory(pid);
  ctx.log(`${students.size} students joined in ${round(joinSeconds, 1)} s; RSS ${mib(joined.serverRss)} MiB, tree ${mib(joined.treeRss)} MiB, ${joined.shells} shells`);

  // The class: every student types and checks on their own clock until the end.
  const echoMs = new TimedSamples();
  const checkMs = new TimedSamples();
  const memory: TreeMemory[] = [];
  const errors: string[] = [];
  /** When the last student's create-repository command finished: the end of the AWS CLI phase. */
  let reposDoneAt = 0;
  const loadAtStart = loadavg();
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const cpu0 = cpuSeconds(pid);
  const t0 = performance.now();
  const end = t0 + s.loadSeconds * 1000;
  const repoFrom = t0 + s.loadSeconds * 400;
  const repoWindow = s.loadSeconds * 250; // students create their repository over this many ms
  const sampler = setInterval(() => memory.push(treeMemory(pid)), 5000);

  const typist = async (st: Student) => {
    let madeRepo = false;
    await sleep(Math.random() * s.commandEverySeconds * 1000);
    while (performance.now() < end) {
      if (!madeRepo && performance.now() >= repoFrom + (st.index / s.students) * repoWindow) {
        madeRepo = true;
        st.terminal.clear();
        st.terminal.type(`${CREATE_REPO}\r`);
        await st.terminal.waitFor(/repo-made=\d+\r\n/, 120_000);
        if (!/repo-made=0\r\n/.test(st.terminal.tail)) errors.push(`${st.learnerId}: create-repository failed: ${st.terminal.tail.slice(-200)}`);
        await st.terminal.waitFor(PROMPT);
        reposDoneAt = Math.max(reposDoneAt, performance.now());
        continue;
      }
      const command = COMMANDS[Math.floor(Math.random() * COMMANDS.length)]!;
      for (const key of command) {
        const ms = await st.terminal.keystroke(key);
        echoMs.push(ms);
        await sleep(30 + Math.random() * 70); // a fast typist: more echo samples per command
      }
      st.terminal.clear();
      st.terminal.type('\r');
      await st.terminal.waitFor(PROMPT);
      await sleep(s.commandEverySeconds * 1000 * (0.5 + Math.random()));
    }
  };
  const checker = async (st: Student) => {
    await sleep(Math.random() * s.checkEverySeconds * 1000);
    while (performance.now() < end) {
      const started = performance.now();
      if (st.check?.repliedAt !== undefined) checksWithoutUpdate += dashboards.length - st.check.seenBy.size;
      const check: NonNullable<Student['check']> = { sentAt: started, expectAttempts: st.attempts + 1, seenBy: new Map() };
      st.check = check;
      try {
        st.lastProgress = await ask<LabProgressView>((reply) => st.socket.emit('check:run', { labId: LAB, stepId: STEP }, reply));
        check.repliedAt = performance.now();
        st.attempts = st.lastProgress.steps[STEP]?.attempts ?? st.attempts;
        checkMs.push(check.repliedAt - started);
        for (const at of check.seenBy.values()) dashboardLatencyMs.push(Math.max(0, at - check.repliedAt));
      } catch (err) {
        errors.push(`${st.learnerId}: check failed: ${(err as Error).message}`);
      }
      await sleep(Math.max(0, s.checkEverySeconds * 1000 - (performance.now() - started)));
    }
  };
  await Promise.all([...students.values()].flatMap((st) => [typist(st).catch((e: Error) => errors.push(`${st.learnerId}: ${e.message}`)), checker(st)]));
  clearInterval(sampler);
  loopDelay.disable();
  const serverCpuSeconds = cpuSeconds(pid) - cpu0;
  const loadSeconds = (performance.now() - t0) / 1000;
  await sleep(1500); // the last checks' dashboard updates
  const final = treeMemory(pid);
  memory.push(final);

  const passed = [...students.values()].filter((st) => st.lastProgress?.steps[STEP]?.status === 'passed').length;
  const greenOnDashboard = dashboards.map((d) => [...d.rows.values()].filter((r) => r.labs[LAB]?.steps[STEP]?.status === 'passed').length);
  for (const st of students.values()) if (st.check?.repliedAt !== undefined) checksWithoutUpdate += dashboards.length - st.check.seenBy.size;
  const peak = memory.reduce((a, m) => (m.treeRss > a.treeRss ? m : a), final);
  const peakServerRss = Math.max(...memory.map((m) => m.serverRss));
  const n = students.size;
  ctx.log(`passed: ${passed}/${n}; green on the dashboards: ${greenOnDashboard.join(', ')}; errors: ${errors.length}`);
  for (const e of errors.slice(0, 10)) ctx.log(`  ${e}`);

  // Phases: typing and checks only; while the students' AWS CLIs run (each is a Python process of ~1 s CPU);
  // and after. The targets apply to the whole class; the phases say where a tail comes from.
  const phases = {
    typing: [t0, repoFrom],
    awsCli: [repoFrom, reposDoneAt || end],
    after: [reposDoneAt || end, Infinity],
  } as const;
  const p = (samples: TimedSamples, q: number, phase?: keyof typeof phases) => round(percentile(phase ? samples.between(...phases[phase]) : samples.values, q), 2);
  const perStudent = (bytes: number) => round(bytes / n / MiB, 2);
  const figures: BenchFigure[] = [
    { metric: 'keystroke echo p50', value: p(echoMs, 50), unit: 'ms' },
    { metric: 'keystroke echo p99', value: p(echoMs, 99), unit: 'ms', target: { max: TARGETS.echoP99Ms } },
    { metric: '  p99 typing and checks only', value: p(echoMs, 99, 'typing'), unit: 'ms' },
    { metric: '  p99 while the AWS CLIs run', value: p(echoMs, 99, 'awsCli'), unit: 'ms' },
    { metric: '  p99 after', value: p(echoMs, 99, 'after'), unit: 'ms' },
    { metric: 'check answer → dashboard p50', value: p(dashboardLatencyMs, 50), unit: 'ms' },
    { metric: 'check answer → dashboard p99', value: p(dashboardLatencyMs, 99), unit: 'ms', target: { max: TARGETS.dashboardP99Ms } },
    { metric: '  p99 typing and checks only', value: p(dashboardLatencyMs, 99, 'typing'), unit: 'ms' },
    { metric: 'check sent → dashboard p99', value: p(sendToDashboardMs, 99), unit: 'ms' },
    { metric: 'check round trip p50', value: p(checkMs, 50), unit: 'ms' },
    { metric: 'check round trip p99', value: p(checkMs, 99), unit: 'ms' },
    { metric: '  p99 typing and checks only', value: p(checkMs, 99, 'typing'), unit: 'ms' },
    { metric: 'server RSS per student (peak / students)', value: perStudent(peakServerRss), unit: 'MiB', target: { max: TARGETS.mibPerStudent } },
    { metric: 'server RSS growth per student', value: perStudent(peakServerRss - baseline.serverRss), unit: 'MiB' },
    { metric: 'process tree RSS per student, shells idle (end / students)', value: perStudent(final.treeRss), unit: 'MiB', target: { max: TARGETS.mibPerStudent } },
    { metric: 'process tree PSS growth per student, shells idle', value: perStudent(final.treePss - baseline.treePss), unit: 'MiB' },
    { metric: 'process tree RSS per student, peak (AWS CLIs running)', value: perStudent(peak.treeRss), unit: 'MiB' },
    { metric: 'students passed step 1 / green on dashboards', value: passed, unit: `/ ${greenOnDashboard.join(', ')} of ${n}` },
    { metric: 'checks whose update no dashboard got', value: checksWithoutUpdate, unit: `of ${checkMs.values.length} × ${dashboards.length}` },
    { metric: 'server CPU during the class', value: round((serverCpuSeconds / loadSeconds) * 100, 1), unit: '% of one core' },
  ];
  return {
    figures,
    method: {
      server: '`labrunner serve` child on 127.0.0.1 (local mode: the bench is the owner), fresh data dir, embedded sandbox on a free port',
      classroom: `POST /api/classrooms {labIds:[${LAB}]}; 2 instructors via the instructor link (303 + cookie) → socket.io dashboard:open`,
      students: `${n} × POST /api/join (${s.joinConcurrency} at a time) → socket.io with the session cookie (lab:open) + terminal WebSocket; PS1 set`,
      typing: `every ${s.commandEverySeconds} s (±50 %) one of ${COMMANDS.join(' | ')}, key by key 30–100 ms apart, then Enter and wait for the prompt`,
      echo: 'send one key → first binary frame on that terminal (client clock; the client acks every 32 KB at once)',
      checks: `check:run ${LAB}/${STEP} every ${s.checkEverySeconds} s per student (start jittered)`,
      dashboardLatency:
        "from the check:run answer at the student to each dashboard's first dashboard:student for that student that counts the attempt (rows also go out for every command); an update that beat the answer counts as 0 ms",
      repos: `from ${round(s.loadSeconds * 0.4)} s into the class, spread over ${round(repoWindow / 1000)} s: ${CREATE_REPO}`,
      memory:
        'server = VmRSS of the labrunner serve process; tree = that process and all its descendants (the sandbox process, every bash and what it runs), VmRSS summed (upper bound: shared pages counted per process) and Pss summed; sampled every 5 s, peak reported; growth = minus the same figure before any student joined',
      loadSeconds: s.loadSeconds,
      phasesSeconds: { awsCliFrom: round((repoFrom - t0) / 1000, 1), awsCliUntil: round(((reposDoneAt || end) - t0) / 1000, 1) },
      loadAverageAtStart: loadAtStart.map((l) => round(l, 2)),
      joinSeconds: round(joinSeconds, 1),
      benchEventLoopDelayP99Ms: round(loopDelay.percentile(99) / 1e6, 1),
      note: 'the load generator (all clients, one Node process) shares the 2 cores with the server; its own event-loop delay is above',
    },
    samples: {
      echoMs: phaseSummaries(echoMs, phases),
      dashboardLatencyMs: phaseSummaries(dashboardLatencyMs, phases),
      sendToDashboardMs: phaseSummaries(sendToDashboardMs, phases),
      checkMs: phaseSummaries(checkMs, phases),
      joinMs: summary(joinMs),
      checksWithoutDashboardUpdate: checksWithoutUpdate,
      memoryMiB: {
        baseline: memoryInMiB(baseline),
        joined: memoryInMiB(joined),
        peak: memoryInMiB(peak),
        final: memoryInMiB(final),
        series: memory.map(memoryInMiB),
      },
      passed,
      greenOnDashboard,
      errors: errors.slice(0, 50),
    },
  };
}

async function json<T = unknown>(res: Response, status: number): Promise<T> {
  const body = await res.text();
  if (res.status !== status) throw new Error(`${res.url} answered ${res.status}: ${body.slice(0, 300)}`);
  return JSON.parse(body) as T;
}

/** Latencies with the time each was taken, to tell the phases of the class apart afterwards. */
class TimedSamples {
  readonly values: number[] = [];
  private readonly _at: number[] = [];

  push(ms: number): void {
    this.values.push(ms);
    this._at.push(performance.now());
  }

  between(from: number, to: number): number[] {
    return this.values.filter((_, i) => this._at[i]! >= from && this._at[i]! < to);
  }
}

function phaseSummaries(samples: TimedSamples, phases: Record<string, readonly [number, number]>) {
  return {
    all: summary(samples.values),
    ...Object.fromEntries(Object.entries(phases).map(([name, [from, to]]) => [name, summary(samples.between(from, to))])),
  };
}

function summary(samples: number[]) {
  return { count: samples.length, p50: round(percentile(samples, 50), 3), p90: round(percentile(samples, 90), 3), p99: round(percentile(samples, 99), 3), max: round(Math.max(...samples), 3) };
}

function memoryInMiB(m: TreeMemory) {
  return { server: mib(m.serverRss), treeRss: mib(m.treeRss), treePss: mib(m.treePss), processes: m.processes, shells: m.shells };
}

function mib(bytes: number): number {
  return round(bytes / MiB, 1);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}
