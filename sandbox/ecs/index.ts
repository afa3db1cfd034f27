/**
 * The sandbox's ECS: the control plane (clusters, task definitions, tasks, services, tags) over AWS JSON 1.1,
 * and a runtime that runs tasks as real containers on the Docker Engine API.
 */
import type { AwsJsonService } from '../http/aws-json.ts';
import { clusterOperations } from './clusters.ts';
import type { EcsDeps } from './context.ts';
import { serviceOperations } from './services.ts';
import { tagOperations } from './tags.ts';
import { taskDefinitionOperations } from './task-definitions.ts';
import { taskOperations } from './tasks.ts';

export type { EcsDeps, ITaskLauncher } from './context.ts';
export { startEcsRuntime, type EcsRuntime, type EcsRuntimeOptions, type TaskLogs } from './runtime.ts';
export { createTaskLogsHandler, isTaskLogsRequest } from './logs-handler.ts';
export { ownRegistryPullAuth } from './registry-pull.ts';
export { LABELS as ECS_CONTAINER_LABELS } from './container-spec.ts';

/** ECS's AWS JSON 1.1 target prefix. */
export const ECS_TARGET_PREFIX = 'AmazonEC2ContainerServiceV20141113';

/** Builds the ECS service for the AWS JSON front door. */
export function createEcsService(deps: EcsDeps): AwsJsonService {
  const groups = [clusterOperations(deps), taskDefinitionOperations(deps), taskOperations(deps), serviceOperations(deps), tagOperations(deps)];
  return {
    targetPrefix: ECS_TARGET_PREFIX,
    signingName: 'ecs',
    operations: new Map(groups.flatMap((g) => Object.entries(g))),
  };
}
