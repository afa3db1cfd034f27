/**
 * The ECS runtime the sandbox owns when it has a container engine: the task runner, the service
 * scheduler that runs after each of its passes, and task logs. Disposing stops every task's containers.
 */
import { randomBytes } from 'node:crypto';
import type { Scope } from '../contracts.ts';
import type { IDisposable } from '../../server/core/lifecycle.ts';
import { taskIdOf } from '../core/ecs/index.ts';
import type { IContainerEngine, PullAuth } from '../engine/index.ts';
import type { MetadataStore } from '../storage/metadata-store.ts';
import type { ITaskLauncher } from './context.ts';
import { ServiceScheduler } from './service-scheduler.ts';
import { TaskRunner } from './task-runner.ts';

const INSTANCE_KEY = 'ecs-instance-id';

/** Options of {@link startEcsRuntime}. */
export interface EcsRuntimeOptions {
  readonly store: MetadataStore;
  readonly engine: IContainerEngine;
  readonly now: () => number;
  readonly pullAuth: (scope: Scope, image: string) => PullAuth | undefined;
  readonly log?: (message: string) => void;
  /** How often tasks are inspected (default 1000 ms). */
  readonly intervalMs?: number;
}

/** A task's output, per container. */
export interface TaskLogs {
  readonly taskId: string;
  readonly lastStatus: string;
  readonly containers: readonly { readonly name: string; readonly text: string }[];
}

/** Running ECS: launches tasks, schedules services, serves logs. */
export interface EcsRuntime extends ITaskLauncher, IDisposable {
  /** Label value on every container of this sandbox (one per data dir). */
  readonly instanceId: string;
  /** The last `tail` lines of each container of a task (id or ARN); undefined for an unknown task. */
  logs(taskRef: string, tail: number): Promise<TaskLogs | undefined>;
  /** Resolves when no task work is in flight. */
  idle(): Promise<void>;
  dispose(): Promise<void>;
}

/** Reconciles with the engine (orphans removed, lost tasks STOPPED) and starts the loop. */
export async function startEcsRuntime(opts: EcsRuntimeOptions): Promise<EcsRuntime> {
  let instanceId = opts.store.getSetting(INSTANCE_KEY);
  if (!instanceId) {
    instanceId = randomBytes(8).toString('hex');
    opts.store.setSetting(INSTANCE_KEY, instanceId);
  }
  const log = opts.log ?? ((m: string) => console.warn(m));
  let scheduler: ServiceScheduler | undefined;
  const runner = new TaskRunner({
    store: opts.store,
    engine: opts.engine,
    now: opts.now,
    instanceId,
    pullAuth: opts.pullAuth,
    log,
    afterTick: () => scheduler?.tick(),
    ...(opts.intervalMs !== undefined ? { intervalMs: opts.intervalMs } : {}),
  });
  scheduler = new ServiceScheduler(opts.store, opts.now, runner);
  await runner.start();
  return {
    instanceId,
    launch: (id) => runner.launch(id),
    wake: () => runner.wake(),
    async logs(taskRef, tail) {
      const id = taskIdOf(taskRef);
      const task = id === undefined ? undefined : opts.store.ecs.getTask(id);
      if (!task) return undefined;
      return { taskId: task.taskId, lastStatus: task.lastStatus, containers: await runner.logs(task, tail) };
    },
    idle: () => runner.idle(),
    dispose: () => runner.dispose(),
  };
}
