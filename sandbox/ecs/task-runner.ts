/**
 * Runs tasks as real containers and keeps their ECS state true to what the engine reports. One loop
 * (every `intervalMs`, or at once on {@link TaskRunner.wake}) inspects every unstopped task; each task has
 * at most one piece of work in flight (launch, observe or stop). lastStatus only moves forward and is
 * RUNNING only once every essential container is running. Disposing stops every task's containers
 * (tasks become STOPPED); starting again reconciles: tasks whose containers are gone become STOPPED, and
 * containers with this sandbox's labels that belong to no live task are removed.
 */
import type { Scope } from '../contracts.ts';
import type { IDisposable } from '../../server/core/lifecycle.ts';
import { assessTask, canTransition, cannotPull, cannotStart, containerReason } from '../core/ecs/index.ts';
import type { ContainerObservation, NetworkBinding, StopCode, TaskDefinition, TaskDoc, TaskStatus } from '../core/ecs/index.ts';
import { EngineError, type ContainerState, type IContainerEngine, type PullAuth } from '../engine/index.ts';
import type { MetadataStore } from '../storage/metadata-store.ts';
import type { ITaskLauncher } from './context.ts';
import { containerSpec, LABELS } from './container-spec.ts';

/** What the runner needs. */
export interface TaskRunnerDeps {
  readonly store: MetadataStore;
  readonly engine: IContainerEngine;
  readonly now: () => number;
  /** Tags this sandbox's containers (one per data dir), so several sandboxes can share an engine. */
  readonly instanceId: string;
  /** Credentials for pulling `image` as `scope` when it names the sandbox's own registry; else undefined. */
  pullAuth(scope: Scope, image: string): PullAuth | undefined;
  readonly log: (message: string) => void;
  /** Runs after each monitoring pass (the service scheduler). */
  readonly afterTick?: () => void;
  readonly intervalMs?: number;
  /** Cap on each container's stop timeout while the sandbox shuts down (default 10 s). */
  readonly shutdownStopTimeoutSeconds?: number;
}

/** ECS agent's default container stop timeout (ECS_CONTAINER_STOP_TIMEOUT). */
const DEFAULT_STOP_TIMEOUT_S = 30;
/** Lines of output kept per container once a task stops. */
export const LOG_TAIL_LINES = 200;

/** Launches, watches and stops task containers. */
export class TaskRunner implements ITaskLauncher, IDisposable {
  private readonly _busy = new Map<string, Promise<void>>();
  private _timer: ReturnType<typeof setTimeout> | undefined;
  private _tick: Promise<void> | undefined;
  private _again = false;
  private _disposed = false;
  private _disposing: Promise<void> | undefined;

  constructor(private readonly _deps: TaskRunnerDeps) {}

  /** Reconciles with the engine, then starts the loop. */
  async start(): Promise<void> {
    await this._reconcile();
    this._schedule();
  }

  launch(taskId: string): void {
    this._work(taskId, () => this._launch(taskId));
  }

  wake(): void {
    if (this._disposed) return;
    if (this._tick) {
      this._again = true;
      return;
    }
    this._tick = this._runTick().finally(() => {
      this._tick = undefined;
      if (this._again && !this._disposed) {
        this._again = false;
        this.wake();
      }
    });
  }

  /** Resolves when no launch, stop or tick is in flight (tests, shutdown). */
  async idle(): Promise<void> {
    while (this._busy.size > 0 || this._tick) await Promise.all([...this._busy.values(), this._tick]);
  }

  /** Live output of a task's containers (from the engine), or what was captured when it stopped. */
  async logs(task: TaskDoc, tail: number): Promise<{ name: string; text: string }[]> {
    return Promise.all(
      task.containers.map(async (c) => {
        let text = c.logTail ?? '';
        if (task.lastStatus !== 'STOPPED' && c.runtimeId) text = await this._deps.engine.logs(c.runtimeId, tail).catch(() => text);
        return { name: c.name, text: lastLines(text, tail) };
      }),
    );
  }

  dispose(): Promise<void> {
    this._disposing ??= this._shutdown();
    return this._disposing;
  }

  // --- the loop -------------------------------------------------------------------------------------

  private _schedule(): void {
    if (this._disposed) return;
    this._timer = setTimeout(() => {
      this.wake();
      this._schedule();
    }, this._deps.intervalMs ?? 1000);
  }

  private async _runTick(): Promise<void> {
    const observing: Promise<void>[] = [];
    for (const t of this._deps.store.ecs.listUnstoppedTasks()) {
      if (this._busy.has(t.taskId)) continue;
      if (t.desiredStatus === 'STOPPED') this._work(t.taskId, () => this._stop(t.taskId));
      else if (t.containers.every((c) => c.runtimeId)) {
        this._work(t.taskId, () => this._observe(t.taskId));
        observing.push(this._busy.get(t.taskId) ?? Promise.resolve());
      }
    }
    await Promise.all(observing);
    if (this._disposed) return;
    try {
      this._deps.afterTick?.();
    } catch (err) {
      this._deps.log(`sandbox ecs: service scheduler failed: ${String(err)}`);
    }
  }

  /** Runs one piece of work for a task unless one is already in flight. */
  private _work(taskId: string, fn: () => Promise<void>): void {
    if (this._busy.has(taskId)) return;
    const p = fn()
      .catch((err: unknown) => this._deps.log(`sandbox ecs: task ${taskId}: ${err instanceof Error ? err.stack ?? err.message : String(err)}`))
      .finally(() => this._busy.delete(taskId));
    this._busy.set(taskId, p);
  }

  /** Read-modify-write of a task document in one synchronous step (bumps `version`). */
  private _update(taskId: string, fn: (t: TaskDoc) => TaskDoc | undefined): TaskDoc | undefined {
    return this._deps.store.transaction(() => {
      const t = this._deps.store.ecs.getTask(taskId);
      if (!t) return undefined;
      const next = fn(t);
      if (!next || next === t) return t;
      const saved = { ...next, version: t.version + 1 };
      this._deps.store.ecs.putTask(saved);
      return saved;
    });
  }

  private _advance(taskId: string, to: TaskStatus, extra: Partial<TaskDoc> = {}): TaskDoc | undefined {
    return this._update(taskId, (t) => (canTransition(t.lastStatus, to) ? { ...t, ...extra, lastStatus: to } : undefined));
  }

  // --- launch ---------------------------------------------------------------------------------------

  private async _launch(taskId: string): Promise<void> {
    const { engine, store, now } = this._deps;
    let task = store.ecs.getTask(taskId);
    if (!task || task.lastStatus !== 'PROVISIONING') return;
    const td = store.ecs.getTaskDefinition(task.accountId, task.region, task.family, task.revision);
    if (!td) throw new Error(`task definition ${task.taskDefinitionArn} vanished`);
    const scope: Scope = { accountId: task.accountId, region: task.region };
    task = this._advance(taskId, 'PENDING', { pullStartedAt: now() });

    const digests = new Map<string, string>();
    for (const def of td.containerDefinitions) {
      if (this._aborted(taskId)) return this._stop(taskId);
      const auth = this._deps.pullAuth(scope, def.image);
      const pulled = await engine.pull(def.image, auth);
      // ECS agent's default pull behaviour: an image from elsewhere that fails to pull may run from the
      // local cache. Never for the sandbox's own registry: access must be checked on every pull.
      if (!pulled.ok && (auth || !(await engine.hasImage(def.image)))) {
        return this._failToStart(taskId, def.name, cannotPull(pulled.message), []);
      }
      const digest = await engine.imageDigest(def.image);
      if (digest) digests.set(def.name, digest);
    }
    this._update(taskId, (t) => ({
      ...t,
      pullStoppedAt: now(),
      containers: t.containers.map((c) => (digests.has(c.name) ? { ...c, imageDigest: digests.get(c.name)! } : c)),
    }));

    const created: string[] = [];
    for (const [i, def] of td.containerDefinitions.entries()) {
      if (this._aborted(taskId)) return this._stop(taskId);
      const current = store.ecs.getTask(taskId)!;
      let id: string;
      try {
        id = await engine.create(containerSpec(current, td, def, i, this._deps.instanceId, created[0]));
      } catch (err) {
        return this._failToStart(taskId, def.name, cannotStart('create', messageOf(err)), created);
      }
      created.push(id);
      this._update(taskId, (t) => ({ ...t, containers: t.containers.map((c) => (c.name === def.name ? { ...c, runtimeId: id } : c)) }));
    }
    for (const [i, id] of created.entries()) {
      if (this._aborted(taskId)) return this._stop(taskId);
      try {
        await engine.start(id);
      } catch (err) {
        return this._failToStart(taskId, td.containerDefinitions[i]!.name, cannotStart('start', messageOf(err)), created);
      }
    }
    await this._observe(taskId);
  }

  private _aborted(taskId: string): boolean {
    return this._disposed || this._deps.store.ecs.getTask(taskId)?.desiredStatus !== 'RUNNING';
  }

  /** A task that never ran: remove what was created, and STOP it with TaskFailedToStart. */
  private async _failToStart(taskId: string, container: string, reason: string, created: readonly string[]): Promise<void> {
    await Promise.all(created.map((id) => this._deps.engine.remove(id).catch(() => undefined)));
    const t = this._deps.now();
    this._update(taskId, (task) => ({
      ...task,
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
      stopCode: 'TaskFailedToStart',
      stoppedReason: reason,
      stoppingAt: task.stoppingAt ?? t,
      executionStoppedAt: t,
      stoppedAt: t,
      containers: task.containers.map((c) => ({ ...c, lastStatus: 'STOPPED', ...(c.name === container ? { reason } : {}) })),
    }));
  }

  // --- observe --------------------------------------------------------------------------------------

  /** Inspects a task's containers and records what they do; an exited essential container stops the task. */
  private async _observe(taskId: string): Promise<void> {
    const task = this._deps.store.ecs.getTask(taskId);
    if (!task || task.lastStatus === 'STOPPED' || task.desiredStatus === 'STOPPED') return;
    const states = await Promise.all(task.containers.map((c) => (c.runtimeId ? this._deps.engine.inspect(c.runtimeId) : Promise.resolve(undefined))));
    const observations: ContainerObservation[] = task.containers.map((c, i) => observation(c.name, c.essential, states[i]));
    const assessment = assessTask(observations);
    const td = this._deps.store.ecs.getTaskDefinition(task.accountId, task.region, task.family, task.revision);
    const now = this._deps.now();
    const updated = this._update(taskId, (t) => {
      if (t.desiredStatus === 'STOPPED' || t.lastStatus === 'STOPPED') return undefined;
      const containers = t.containers.map((c, i) => {
        const o = observations[i]!;
        if (o.state === 'running') return { ...c, lastStatus: 'RUNNING' as const, networkBindings: bindingsFor(t, td, i, states) };
        if (o.state === 'exited' || o.state === 'missing') {
          const reason = containerReason(o);
          return { ...c, lastStatus: 'STOPPED' as const, ...(o.exitCode !== undefined ? { exitCode: o.exitCode } : {}), ...(reason ? { reason } : {}) };
        }
        return c;
      });
      let next: TaskDoc = { ...t, containers };
      if (assessment.kind === 'running' && canTransition(t.lastStatus, 'RUNNING')) {
        const started = Math.max(...states.map((s) => s?.startedAt ?? 0));
        next = { ...next, lastStatus: 'RUNNING', startedAt: started > 0 ? started : now };
      } else if (assessment.kind === 'stop') {
        next = { ...next, desiredStatus: 'STOPPED', stopCode: assessment.stopCode, stoppedReason: assessment.stoppedReason, stoppingAt: now };
      }
      return JSON.stringify(next) === JSON.stringify(t) ? undefined : next;
    });
    if (updated?.desiredStatus === 'STOPPED') await this._stop(taskId);
  }

  // --- stop -----------------------------------------------------------------------------------------

  private async _stop(taskId: string, timeoutCap?: number): Promise<void> {
    const { engine, store, now } = this._deps;
    const task = store.ecs.getTask(taskId);
    if (!task || task.lastStatus === 'STOPPED') return;
    const td = store.ecs.getTaskDefinition(task.accountId, task.region, task.family, task.revision);
    const ids = task.containers.map((c) => c.runtimeId);
    if (ids.some((id) => id)) {
      if (task.lastStatus === 'RUNNING') this._advance(taskId, 'STOPPING');
      await Promise.all(
        task.containers.map((c) => {
          if (!c.runtimeId) return undefined;
          let timeout = stopTimeout(td, c.name);
          if (timeoutCap !== undefined) timeout = Math.min(timeout, timeoutCap);
          return engine.stop(c.runtimeId, timeout).catch((err: unknown) => this._deps.log(`sandbox ecs: stopping ${c.runtimeId}: ${messageOf(err)}`));
        }),
      );
    }
    this._advance(taskId, 'DEPROVISIONING', { executionStoppedAt: now() });
    const finals = await Promise.all(
      task.containers.map(async (c) => {
        if (!c.runtimeId) return { state: undefined, log: undefined };
        const state = await engine.inspect(c.runtimeId).catch(() => undefined);
        const log = await engine.logs(c.runtimeId, LOG_TAIL_LINES).catch(() => undefined);
        await engine.remove(c.runtimeId).catch((err: unknown) => this._deps.log(`sandbox ecs: removing ${c.runtimeId}: ${messageOf(err)}`));
        return { state, log };
      }),
    );
    const t = now();
    this._update(taskId, (cur) => ({
      ...cur,
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
      stoppedAt: t,
      executionStoppedAt: cur.executionStoppedAt ?? t,
      containers: cur.containers.map((c, i) => {
        const f = finals[i]!;
        const exitCode = f.state?.exitCode ?? c.exitCode;
        const oom = f.state?.oomKilled ? 'OutOfMemoryError: Container killed due to memory usage' : undefined;
        const reason = oom ?? c.reason;
        return {
          ...c,
          lastStatus: 'STOPPED' as const,
          ...(exitCode !== undefined ? { exitCode } : {}),
          ...(reason ? { reason } : {}),
          ...(f.log !== undefined ? { logTail: f.log } : {}),
        };
      }),
    }));
  }

  // --- start and shutdown ---------------------------------------------------------------------------

  private async _reconcile(): Promise<void> {
    const { engine, store } = this._deps;
    const live = store.ecs.listUnstoppedTasks();
    const known = new Set(live.flatMap((t) => t.containers.map((c) => c.runtimeId).filter((id): id is string => !!id)));
    for (const c of await engine.list({ [LABELS.instance]: this._deps.instanceId })) {
      if (!known.has(c.id)) {
        this._deps.log(`sandbox ecs: removing container ${c.id.slice(0, 12)} of task ${c.labels[LABELS.taskId] ?? '?'}: no live task owns it`);
        await engine.remove(c.id).catch(() => undefined);
      }
    }
    for (const t of live) {
      const ids = t.containers.map((c) => c.runtimeId).filter((id): id is string => !!id);
      const states = await Promise.all(ids.map((id) => engine.inspect(id)));
      if (t.lastStatus === 'PROVISIONING' || t.lastStatus === 'PENDING') {
        await Promise.all(ids.map((id) => engine.remove(id).catch(() => undefined)));
        this._finishLost(t.taskId, 'TaskFailedToStart', 'Task stopped because the sandbox restarted before the task started.');
      } else if (states.every((s) => s === undefined)) {
        this._finishLost(t.taskId, 'TerminationNotice', "Task stopped because its containers no longer exist (the sandbox or its container engine restarted).");
      }
    }
  }

  private _finishLost(taskId: string, stopCode: StopCode, reason: string): void {
    const t = this._deps.now();
    this._update(taskId, (task) => ({
      ...task,
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
      stopCode: task.stopCode ?? stopCode,
      stoppedReason: task.stoppedReason ?? reason,
      stoppingAt: task.stoppingAt ?? t,
      executionStoppedAt: task.executionStoppedAt ?? t,
      stoppedAt: t,
      containers: task.containers.map((c) => ({ ...c, lastStatus: 'STOPPED' })),
    }));
  }

  private async _shutdown(): Promise<void> {
    this._disposed = true;
    if (this._timer) clearTimeout(this._timer);
    await this._tick;
    await Promise.all(this._busy.values());
    const now = this._deps.now();
    const cap = this._deps.shutdownStopTimeoutSeconds ?? 10;
    await Promise.all(
      this._deps.store.ecs.listUnstoppedTasks().map(async (t) => {
        this._update(t.taskId, (task) =>
          task.desiredStatus === 'STOPPED'
            ? undefined
            : { ...task, desiredStatus: 'STOPPED', stopCode: 'TerminationNotice', stoppedReason: 'Task stopped because the sandbox stopped.', stoppingAt: now },
        );
        await this._stop(t.taskId, cap).catch((err: unknown) => this._deps.log(`sandbox ecs: stopping task ${t.taskId}: ${messageOf(err)}`));
      }),
    );
  }
}

function observation(name: string, essential: boolean, s: ContainerState | undefined): ContainerObservation {
  if (!s) return { name, essential, state: 'missing' };
  return {
    name,
    essential,
    state: s.status,
    ...(s.exitCode !== undefined ? { exitCode: s.exitCode } : {}),
    oomKilled: s.oomKilled,
    ...(s.error ? { error: s.error } : {}),
  };
}

/**
 * networkBindings of container `index`: host networking binds the container ports themselves; awsvpc tasks
 * publish through their first container (the namespace owner); bridge containers publish their own.
 */
function bindingsFor(task: TaskDoc, td: TaskDefinition | undefined, index: number, states: readonly (ContainerState | undefined)[]): NetworkBinding[] {
  const def = td?.containerDefinitions[index];
  if (!def) return [];
  if (task.networkMode === 'host') {
    return def.portMappings.map((p) => ({ bindIP: '0.0.0.0', containerPort: p.containerPort, hostPort: p.containerPort, protocol: p.protocol }));
  }
  const owner = task.networkMode === 'awsvpc' ? states[0] : states[index];
  const mine = new Set(def.portMappings.map((p) => `${p.containerPort}/${p.protocol}`));
  return (owner?.ports ?? [])
    .filter((p) => mine.has(`${p.containerPort}/${p.protocol}`))
    .map((p) => ({ bindIP: p.hostIp, containerPort: p.containerPort, hostPort: p.hostPort, protocol: p.protocol }));
}

function stopTimeout(td: TaskDefinition | undefined, name: string): number {
  const def = td?.containerDefinitions.find((c) => c.name === name);
  return def?.stopTimeout ?? DEFAULT_STOP_TIMEOUT_S;
}

function lastLines(text: string, n: number): string {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.slice(-n).join('\n') + (lines.length ? '\n' : '');
}

function messageOf(err: unknown): string {
  return err instanceof EngineError || err instanceof Error ? err.message : String(err);
}
