/**
 * A task's lifecycle (ECS "Task lifecycle"): lastStatus only moves forward through
 * PROVISIONING → PENDING → ACTIVATING → RUNNING → DEACTIVATING → STOPPING → DEPROVISIONING → STOPPED
 * (steps may be skipped, never revisited), and what the containers really do decides when it moves.
 */

export const TASK_STATUSES = ['PROVISIONING', 'PENDING', 'ACTIVATING', 'RUNNING', 'DEACTIVATING', 'STOPPING', 'DEPROVISIONING', 'STOPPED'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
export type DesiredStatus = 'RUNNING' | 'STOPPED';
export type StopCode = 'TaskFailedToStart' | 'EssentialContainerExited' | 'UserInitiated' | 'ServiceSchedulerInitiated' | 'SpotInterruption' | 'TerminationNotice';

/** True when `to` comes after `from` (STOPPED is terminal). */
export function canTransition(from: TaskStatus, to: TaskStatus): boolean {
  return TASK_STATUSES.indexOf(to) > TASK_STATUSES.indexOf(from);
}

/** Whether a task has been launched and not yet stopped (what ListTasks' RUNNING filter returns, as on ECS). */
export function isActive(status: TaskStatus): boolean {
  return status !== 'STOPPED';
}

/** A container as the engine reports it. */
export interface ContainerObservation {
  readonly name: string;
  readonly essential: boolean;
  /** `missing`: the engine no longer has the container. */
  readonly state: 'created' | 'running' | 'exited' | 'missing';
  readonly exitCode?: number;
  readonly oomKilled?: boolean;
  /** The engine's own error text for a container that failed. */
  readonly error?: string;
}

/** What a RUNNING (or starting) task should do, given its containers. */
export type TaskAssessment =
  | { readonly kind: 'running' }
  | { readonly kind: 'starting' }
  | { readonly kind: 'stop'; readonly stopCode: StopCode; readonly stoppedReason: string };

/** Reason ECS gives for an essential container that exited. */
export const ESSENTIAL_EXITED = 'Essential container in task exited';

/**
 * Decides from the containers: any essential container exited or gone → stop the task
 * (EssentialContainerExited); all essential containers running → RUNNING; else still starting.
 */
export function assessTask(containers: readonly ContainerObservation[]): TaskAssessment {
  const essential = containers.filter((c) => c.essential);
  if (essential.some((c) => c.state === 'exited' || c.state === 'missing')) {
    return { kind: 'stop', stopCode: 'EssentialContainerExited', stoppedReason: ESSENTIAL_EXITED };
  }
  return essential.every((c) => c.state === 'running') ? { kind: 'running' } : { kind: 'starting' };
}

/** The `reason` ECS shows on a stopped container, if any. */
export function containerReason(c: ContainerObservation): string | undefined {
  if (c.oomKilled) return 'OutOfMemoryError: Container killed due to memory usage';
  if (c.state === 'missing') return 'The container no longer exists in the container engine.';
  if (c.error) return `CannotStartContainerError: ${c.error}`;
  return undefined;
}

/** `CannotPullContainerError: <engine message>`, as the ECS agent reports a failed pull. */
export function cannotPull(engineMessage: string): string {
  return `CannotPullContainerError: ${engineMessage.replace(/\s+$/, '')}`.slice(0, 1024);
}

/** `CannotCreateContainerError: …` / `CannotStartContainerError: …` for engine failures after the pull. */
export function cannotStart(kind: 'create' | 'start', engineMessage: string): string {
  return `${kind === 'create' ? 'CannotCreateContainerError' : 'CannotStartContainerError'}: ${engineMessage.replace(/\s+$/, '')}`.slice(0, 1024);
}
