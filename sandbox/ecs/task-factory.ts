/** Builds a new task (PROVISIONING) from a task definition: shared by RunTask and the service scheduler. */
import { randomBytes } from 'node:crypto';
import type { Scope } from '../contracts.ts';
import { ecsArn } from '../core/ecs/index.ts';
import type { ContainerOverride, EcsTag, LaunchType, NetworkConfiguration, TaskDefinition, TaskDoc } from '../core/ecs/index.ts';
import { newTaskId, newUuid } from './context.ts';

/** How a task is started. */
export interface NewTaskOptions {
  readonly launchType: LaunchType;
  readonly group: string;
  readonly startedBy?: string;
  readonly serviceName?: string;
  readonly deploymentId?: string;
  readonly overrides: readonly ContainerOverride[];
  readonly tags: readonly EcsTag[];
  readonly networkConfiguration?: NetworkConfiguration;
}

/** A task document in PROVISIONING, not yet stored. */
export function createTaskDoc(scope: Scope, clusterName: string, td: TaskDefinition, opts: NewTaskOptions, now: number): TaskDoc {
  const subnet = opts.networkConfiguration?.awsvpcConfiguration?.subnets[0];
  return {
    taskId: newTaskId(),
    accountId: scope.accountId,
    region: scope.region,
    clusterName,
    taskDefinitionArn: ecsArn.taskDefinition(scope, td.family, td.revision),
    family: td.family,
    revision: td.revision,
    launchType: opts.launchType,
    networkMode: td.networkMode,
    ...(td.cpu !== undefined ? { cpu: td.cpu } : {}),
    ...(td.memory !== undefined ? { memory: td.memory } : {}),
    group: opts.group,
    ...(opts.startedBy !== undefined ? { startedBy: opts.startedBy } : {}),
    ...(opts.serviceName !== undefined ? { serviceName: opts.serviceName } : {}),
    ...(opts.deploymentId !== undefined ? { deploymentId: opts.deploymentId } : {}),
    lastStatus: 'PROVISIONING',
    desiredStatus: 'RUNNING',
    version: 1,
    createdAt: now,
    containers: td.containerDefinitions.map((c) => ({
      name: c.name,
      uuid: newUuid(),
      image: c.image,
      essential: c.essential,
      lastStatus: 'PENDING',
      networkBindings: [],
      cpu: c.cpu,
      ...(c.memory !== undefined ? { memory: c.memory } : {}),
      ...(c.memoryReservation !== undefined ? { memoryReservation: c.memoryReservation } : {}),
    })),
    overrides: { containerOverrides: opts.overrides },
    ...(td.networkMode === 'awsvpc'
      ? {
          eni: {
            attachmentId: newUuid(),
            id: `eni-${randomBytes(9).toString('hex').slice(0, 17)}`,
            subnetId: subnet ?? 'subnet-sandbox',
            macAddress: Array.from(randomBytes(6), (b, i) => (i === 0 ? (b & 0xfe) | 0x02 : b).toString(16).padStart(2, '0')).join(':'),
          },
        }
      : {}),
    tags: opts.tags,
  };
}
