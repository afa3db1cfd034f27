/** The pure parts of the sandbox's ECS: ARNs, errors, task-definition rules, task lifecycle, service scheduling. */
export { ecsArn, parseEcsArn, isArn, clusterNameOf, parseTaskDefinitionRef, taskIdOf, serviceNameOf, type ParsedEcsArn } from './arn.ts';
export { ecsErrors } from './errors.ts';
export { parseTaskDefinition, parseUnits } from './task-definition.ts';
export {
  TASK_STATUSES,
  canTransition,
  isActive,
  assessTask,
  containerReason,
  cannotPull,
  cannotStart,
  ESSENTIAL_EXITED,
  type TaskStatus,
  type DesiredStatus,
  type StopCode,
  type ContainerObservation,
  type TaskAssessment,
} from './task-state.ts';
export {
  planService,
  startedEvent,
  stoppedEvent,
  restartBackoffMs,
  deploymentId,
  type DeploymentState,
  type ServiceTaskView,
  type ServicePlanInput,
  type ServicePlan,
  type RolloutState,
  type ServiceStatus,
} from './service-plan.ts';
export type * from './types.ts';
