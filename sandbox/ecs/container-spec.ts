/**
 * How a task's container definition becomes an engine container. Choices the sandbox makes, since tasks run
 * on one local engine instead of EC2 instances or Fargate micro-VMs:
 * - every published port binds to 127.0.0.1 (learners reach their app on this machine only);
 * - bridge: hostPort as defined, or a free one when it is 0/absent (ECS's dynamic port mapping);
 * - awsvpc: the task's first container owns the network namespace and publishes every container port on a
 *   free 127.0.0.1 port (many learners' tasks may use port 80); the others join it, so containers of one
 *   task reach each other on localhost as on ECS;
 * - host: the engine's host network, ports as given;
 * - container `memory` → hard limit, `memoryReservation` → soft limit, `cpu` → CPU shares; a task-level
 *   memory/cpu (Fargate-style) applies as the limit of each container that sets none.
 */
import type { Scope } from '../contracts.ts';
import { ecsArn } from '../core/ecs/index.ts';
import type { ContainerDefinition, TaskDefinition, TaskDoc } from '../core/ecs/index.ts';
import type { ContainerSpec } from '../engine/index.ts';

/** Labels every sandbox container carries (ECS agent's own labels plus the sandbox's). */
export const LABELS = {
  instance: 'labrunner.sandbox.instance',
  account: 'labrunner.sandbox.account',
  region: 'labrunner.sandbox.region',
  cluster: 'labrunner.sandbox.cluster',
  taskId: 'labrunner.sandbox.task-id',
} as const;

const MIB = 1024 * 1024;

/** The engine spec of container `index` of a task; `namespaceOwner` is the awsvpc task's first container id. */
export function containerSpec(
  task: TaskDoc,
  td: TaskDefinition,
  def: ContainerDefinition,
  index: number,
  instanceId: string,
  namespaceOwner: string | undefined,
): ContainerSpec {
  const scope: Scope = { accountId: task.accountId, region: task.region };
  const override = task.overrides.containerOverrides.find((o) => o.name === def.name);
  const env = new Map(def.environment.map((e) => [e.name, e.value]));
  for (const e of override?.environment ?? []) env.set(e.name, e.value);

  let networkMode: ContainerSpec['networkMode'] = 'bridge';
  let ports: ContainerSpec['ports'] = [];
  if (td.networkMode === 'host') networkMode = 'host';
  else if (td.networkMode === 'none') networkMode = 'none';
  else if (td.networkMode === 'awsvpc' && index > 0 && namespaceOwner) networkMode = `container:${namespaceOwner}`;
  else if (td.networkMode === 'awsvpc') {
    ports = td.containerDefinitions.flatMap((c) => c.portMappings.map((p) => ({ containerPort: p.containerPort, protocol: p.protocol, hostIp: '127.0.0.1', hostPort: 0 })));
  } else {
    ports = def.portMappings.map((p) => ({ containerPort: p.containerPort, protocol: p.protocol, hostIp: '127.0.0.1', hostPort: p.hostPort ?? 0 }));
  }

  const taskMemory = td.memory === undefined ? undefined : Number(td.memory);
  const taskCpu = td.cpu === undefined ? undefined : Number(td.cpu);
  const memory = def.memory ?? (def.memoryReservation === undefined ? taskMemory : undefined);
  const command = override?.command ?? def.command;
  return {
    name: `ecs-${task.family}-${task.revision}-${def.name}-${task.taskId}`,
    image: def.image,
    labels: {
      ...((def['dockerLabels'] as Record<string, string> | undefined) ?? {}),
      'com.amazonaws.ecs.cluster': task.clusterName,
      'com.amazonaws.ecs.task-arn': ecsArn.task(scope, task.clusterName, task.taskId),
      'com.amazonaws.ecs.container-name': def.name,
      'com.amazonaws.ecs.task-definition-family': task.family,
      'com.amazonaws.ecs.task-definition-version': String(task.revision),
      [LABELS.instance]: instanceId,
      [LABELS.account]: task.accountId,
      [LABELS.region]: task.region,
      [LABELS.cluster]: task.clusterName,
      [LABELS.taskId]: task.taskId,
    },
    ...(def.entryPoint ? { entryPoint: def.entryPoint } : {}),
    ...(command ? { command } : {}),
    env: [...env].map(([k, v]) => `${k}=${v}`),
    ...(def.workingDirectory ? { workingDir: def.workingDirectory } : {}),
    ...(def.user ? { user: def.user } : {}),
    ...(typeof def['hostname'] === 'string' && td.networkMode === 'bridge' ? { hostname: def['hostname'] as string } : {}),
    networkMode,
    ports,
    ...(memory ? { memoryBytes: memory * MIB } : {}),
    ...(def.memoryReservation ? { memoryReservationBytes: def.memoryReservation * MIB } : {}),
    ...(def.cpu > 0 ? { cpuShares: def.cpu } : {}),
    ...(def.cpu === 0 && taskCpu ? { nanoCpus: Math.round((taskCpu / 1024) * 1e9) } : {}),
    ...(def.linuxParameters?.initProcessEnabled ? { init: true } : {}),
  };
}
