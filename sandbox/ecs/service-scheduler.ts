/**
 * Applies {@link planService} to every live service after each runner pass: starts and stops tasks,
 * counts failures (with restart backoff), writes ECS's service events and retires drained services.
 * Synchronous (SQLite only); launches are handed to the runner.
 */
import type { Scope } from '../contracts.ts';
import { parseTaskDefinitionRef, planService, restartBackoffMs, startedEvent, stoppedEvent } from '../core/ecs/index.ts';
import type { ServiceDoc, ServiceEvent, TaskDoc } from '../core/ecs/index.ts';
import type { MetadataStore } from '../storage/metadata-store.ts';
import { newUuid, type ITaskLauncher } from './context.ts';
import { createTaskDoc } from './task-factory.ts';

/** ECS keeps the latest 100 events of a service. */
const MAX_EVENTS = 100;

/** The service scheduler. */
export class ServiceScheduler {
  constructor(
    private readonly _store: MetadataStore,
    private readonly _now: () => number,
    private readonly _launcher: ITaskLauncher,
  ) {}

  /** One scheduling step over every ACTIVE or DRAINING service. */
  tick(): void {
    const launches: string[] = [];
    let stopped = false;
    for (const { accountId, region, doc } of this._store.ecs.listLiveServices()) {
      this._store.transaction(() => {
        const result = this._schedule({ accountId, region }, doc);
        launches.push(...result.launched);
        stopped ||= result.stopped;
      });
    }
    for (const id of launches) this._launcher.launch(id);
    if (stopped) this._launcher.wake();
  }

  private _schedule(scope: Scope, s: ServiceDoc): { launched: string[]; stopped: boolean } {
    const store = this._store.ecs;
    const now = this._now();
    const tasks = store.listServiceTasks(scope.accountId, scope.region, s.clusterName, s.name);

    // Tasks that died on their own since the last step count as failures (restart backoff, failedTasks).
    const seenUntil = s.stopsSeenUntil ?? s.createdAt;
    const newStops = tasks.filter(
      (t) => t.lastStatus === 'STOPPED' && (t.stoppedAt ?? 0) > seenUntil && (t.stopCode === 'TaskFailedToStart' || t.stopCode === 'EssentialContainerExited'),
    );
    const failures = s.failures + newStops.length;
    const startBlockedUntil = newStops.length > 0 ? now + restartBackoffMs(failures) : s.startBlockedUntil;
    const deployments = s.deployments.map((d) => {
      const failed = newStops.filter((t) => t.deploymentId === d.id && t.stopCode === 'TaskFailedToStart').length;
      return failed > 0 ? { ...d, failedTasks: d.failedTasks + failed } : d;
    });
    const stopsSeenUntil = Math.max(seenUntil, ...tasks.map((t) => t.stoppedAt ?? 0));

    const plan = planService({
      serviceName: s.name,
      status: s.status,
      desiredCount: s.desiredCount,
      deployments,
      tasks: tasks.map((t) => ({ taskId: t.taskId, deploymentId: t.deploymentId ?? '', lastStatus: t.lastStatus, desiredStatus: t.desiredStatus })),
      steady: s.steady,
      startBlockedUntil,
      now,
    });

    const messages: string[] = [];
    const stoppedIds: string[] = [];
    for (const { taskId, deploymentId } of plan.stop) {
      const t = store.getTask(taskId);
      if (!t || t.desiredStatus === 'STOPPED') continue;
      store.putTask({
        ...t,
        desiredStatus: 'STOPPED',
        stopCode: 'ServiceSchedulerInitiated',
        stoppedReason: `Scaling activity initiated by (deployment ${deploymentId})`,
        stoppingAt: now,
        version: t.version + 1,
      });
      stoppedIds.push(taskId);
    }
    if (stoppedIds.length > 0) messages.push(stoppedEvent(s.name, stoppedIds));

    const launched: string[] = [];
    if (plan.start) {
      const ref = parseTaskDefinitionRef(plan.start.taskDefinition);
      const td = ref?.revision === undefined ? undefined : store.getTaskDefinition(scope.accountId, scope.region, ref.family, ref.revision);
      if (td) {
        for (let i = 0; i < plan.start.count; i++) {
          const doc: TaskDoc = createTaskDoc(
            scope,
            s.clusterName,
            td,
            {
              launchType: s.launchType,
              group: `service:${s.name}`,
              startedBy: plan.start.deploymentId,
              serviceName: s.name,
              deploymentId: plan.start.deploymentId,
              overrides: [],
              tags: [],
              ...(s.networkConfiguration ? { networkConfiguration: s.networkConfiguration } : {}),
            },
            now,
          );
          store.putTask(doc);
          launched.push(doc.taskId);
        }
        messages.push(startedEvent(s.name, launched));
      }
    }
    messages.push(...plan.events);

    const newEvents: ServiceEvent[] = messages.map((message) => ({ id: newUuid(), createdAt: now, message })).reverse();
    const next: ServiceDoc = {
      ...s,
      status: plan.status,
      deployments: plan.deployments,
      events: [...newEvents, ...s.events].slice(0, MAX_EVENTS),
      steady: plan.steady,
      failures: plan.steady ? 0 : failures,
      startBlockedUntil,
      stopsSeenUntil,
    };
    if (JSON.stringify(next) !== JSON.stringify(s)) store.putService(scope.accountId, scope.region, next);
    return { launched, stopped: stoppedIds.length > 0 };
  }
}
