/**
 * The service scheduler's decisions, pure: given a service, its deployments and its tasks, which tasks to
 * start and stop, how the deployments' counts and rollout states change, and which events ECS would write.
 * Rolling updates follow ECS's defaults (maximumPercent 200, minimumHealthyPercent 100): the PRIMARY
 * deployment starts its tasks first, and older deployments are stopped once it runs desiredCount tasks.
 */
import type { DesiredStatus, TaskStatus } from './task-state.ts';

export type RolloutState = 'COMPLETED' | 'FAILED' | 'IN_PROGRESS';
export type ServiceStatus = 'ACTIVE' | 'DRAINING' | 'INACTIVE';

/** A deployment as the service stores it. */
export interface DeploymentState {
  readonly id: string;
  readonly status: 'PRIMARY' | 'ACTIVE';
  readonly taskDefinition: string;
  readonly desiredCount: number;
  readonly pendingCount: number;
  readonly runningCount: number;
  readonly failedTasks: number;
  readonly rolloutState: RolloutState;
  readonly rolloutStateReason: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** A task of the service, as far as the scheduler cares. */
export interface ServiceTaskView {
  readonly taskId: string;
  readonly deploymentId: string;
  readonly lastStatus: TaskStatus;
  readonly desiredStatus: DesiredStatus;
}

export interface ServicePlanInput {
  readonly serviceName: string;
  readonly status: ServiceStatus;
  readonly desiredCount: number;
  readonly deployments: readonly DeploymentState[];
  readonly tasks: readonly ServiceTaskView[];
  /** Whether "has reached a steady state" was already reported for the current state. */
  readonly steady: boolean;
  /** No new tasks before this time (restart backoff after failures). */
  readonly startBlockedUntil: number;
  readonly now: number;
}

export interface ServicePlan {
  readonly status: ServiceStatus;
  /** Tasks to start, all for the PRIMARY deployment. */
  readonly start: { readonly deploymentId: string; readonly taskDefinition: string; readonly count: number } | undefined;
  readonly stop: readonly { readonly taskId: string; readonly deploymentId: string }[];
  readonly deployments: readonly DeploymentState[];
  /** Events other than started/stopped (the caller writes those once it has the task ids). */
  readonly events: readonly string[];
  readonly steady: boolean;
}

const wants = (t: ServiceTaskView) => t.desiredStatus === 'RUNNING';
const running = (t: ServiceTaskView) => t.desiredStatus === 'RUNNING' && t.lastStatus === 'RUNNING';
const alive = (t: ServiceTaskView) => t.lastStatus !== 'STOPPED';

/** Decides one scheduling step for a service. */
export function planService(input: ServicePlanInput): ServicePlan {
  const { now } = input;
  const tasksOf = (d: DeploymentState) => input.tasks.filter((t) => t.deploymentId === d.id);
  const counted = (d: DeploymentState, desiredCount: number): DeploymentState => {
    const mine = tasksOf(d).filter(wants);
    const runningCount = mine.filter((t) => t.lastStatus === 'RUNNING').length;
    const pendingCount = mine.filter((t) => t.lastStatus === 'PROVISIONING' || t.lastStatus === 'PENDING' || t.lastStatus === 'ACTIVATING').length;
    const changed = runningCount !== d.runningCount || pendingCount !== d.pendingCount || desiredCount !== d.desiredCount;
    return changed ? { ...d, runningCount, pendingCount, desiredCount, updatedAt: now } : d;
  };

  if (input.status === 'INACTIVE') {
    return { status: 'INACTIVE', start: undefined, stop: [], deployments: input.deployments, events: [], steady: input.steady };
  }

  if (input.status === 'DRAINING') {
    const stop = input.tasks.filter(wants).map((t) => ({ taskId: t.taskId, deploymentId: t.deploymentId }));
    const done = !input.tasks.some(alive);
    return {
      status: done ? 'INACTIVE' : 'DRAINING',
      start: undefined,
      stop,
      deployments: input.deployments.map((d) => counted(d, 0)),
      events: [],
      steady: false,
    };
  }

  const primary = input.deployments.find((d) => d.status === 'PRIMARY');
  if (!primary) return { status: input.status, start: undefined, stop: [], deployments: input.deployments, events: [], steady: input.steady };
  const desired = input.desiredCount;
  const primaryTasks = tasksOf(primary).filter(wants);
  const stop: { taskId: string; deploymentId: string }[] = [];
  let start: ServicePlan['start'];

  const missing = desired - primaryTasks.length;
  if (missing > 0 && now >= input.startBlockedUntil) {
    start = { deploymentId: primary.id, taskDefinition: primary.taskDefinition, count: missing };
  } else if (missing < 0) {
    // Scale in: stop tasks that are not running yet first, then the newest ones (last in the list).
    const order = [...primaryTasks.filter((t) => !running(t)), ...primaryTasks.filter(running).reverse()];
    for (const t of order.slice(0, -missing)) stop.push({ taskId: t.taskId, deploymentId: primary.id });
  }

  const primaryRunning = primaryTasks.filter(running).length;
  const replaced = primaryRunning >= desired;
  const deployments: DeploymentState[] = [];
  for (const d of input.deployments) {
    if (d.id === primary.id) continue;
    if (replaced) for (const t of tasksOf(d).filter(wants)) stop.push({ taskId: t.taskId, deploymentId: d.id });
    // A drained old deployment leaves the list, as on ECS.
    if (tasksOf(d).some(alive)) deployments.push(counted(d, replaced ? 0 : d.desiredCount));
  }

  const events: string[] = [];
  let newPrimary = counted(primary, desired);
  const settled = deployments.length === 0 && primaryRunning === desired && primaryTasks.length === desired && !start && stop.length === 0;
  if (settled && newPrimary.rolloutState === 'IN_PROGRESS') {
    newPrimary = { ...newPrimary, rolloutState: 'COMPLETED', rolloutStateReason: 'ECS deployment ' + primary.id + ' completed.', updatedAt: now };
    events.push(`(service ${input.serviceName}) (deployment ${primary.id}) deployment completed.`);
  }
  let steady = input.steady;
  if (settled && !steady) {
    events.push(`(service ${input.serviceName}) has reached a steady state.`);
    steady = true;
  } else if (!settled) {
    steady = false;
  }
  return { status: 'ACTIVE', start, stop, deployments: [newPrimary, ...deployments], events, steady };
}

/** `(service X) has started 2 tasks: (task a) (task b).` */
export function startedEvent(serviceName: string, taskIds: readonly string[]): string {
  return `(service ${serviceName}) has started ${taskIds.length} tasks: ${taskIds.map((id) => `(task ${id})`).join(' ')}.`;
}

/** `(service X) has stopped 1 running tasks: (task a).` */
export function stoppedEvent(serviceName: string, taskIds: readonly string[]): string {
  return `(service ${serviceName}) has stopped ${taskIds.length} running tasks: ${taskIds.map((id) => `(task ${id})`).join(' ')}.`;
}

/** Delay before the next start after `failures` consecutive task failures: none for the first, then 5 s doubling to 5 min. */
export function restartBackoffMs(failures: number): number {
  if (failures <= 1) return 0;
  return Math.min(5000 * 2 ** (failures - 2), 300_000);
}

/** A new deployment id: `ecs-svc/` + 19 digits, as ECS prints them. */
export function deploymentId(random19Digits: string): string {
  return `ecs-svc/${random19Digits}`;
}
