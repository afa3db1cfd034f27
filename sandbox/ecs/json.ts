/**
 * ECS response shapes. awsvpc tasks (the seed lab's Fargate flow) get an `ElasticNetworkInterface`
 * attachment whose `privateIPv4Address` is 127.0.0.1; since every learner's task may listen on port 80,
 * each container port is published on a free host port of 127.0.0.1 instead of the port itself. That
 * address is reported twice: in the container's `networkBindings` (bindIP 127.0.0.1, hostPort) and in the
 * attachment details as `sandboxPublishedPort.<containerPort>/<protocol>` = `127.0.0.1:<hostPort>`.
 */
import type { Scope } from '../contracts.ts';
import { ecsArn } from '../core/ecs/index.ts';
import type { ClusterDoc, ServiceDoc, TaskDefinition, TaskDoc } from '../core/ecs/index.ts';
import { seconds, type EcsDeps } from './context.ts';

const compact = (o: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/** A registered task definition as DescribeTaskDefinition returns it. */
export function taskDefinitionJson(scope: Scope, td: TaskDefinition): Record<string, unknown> {
  return compact({
    volumes: [],
    placementConstraints: [],
    requiresAttributes: [],
    ...td.extra,
    taskDefinitionArn: ecsArn.taskDefinition(scope, td.family, td.revision),
    containerDefinitions: td.containerDefinitions,
    family: td.family,
    revision: td.revision,
    status: td.status,
    networkMode: td.networkMode,
    compatibilities: td.compatibilities,
    requiresCompatibilities: td.requiresCompatibilities,
    cpu: td.cpu,
    memory: td.memory,
    registeredAt: seconds(td.registeredAt),
    registeredBy: `arn:aws:iam::${scope.accountId}:root`,
    deregisteredAt: seconds(td.deregisteredAt),
  });
}

/** A cluster with its live counts. */
export function clusterJson(deps: EcsDeps, scope: Scope, c: ClusterDoc, include: readonly string[] = []): Record<string, unknown> {
  const tasks = c.status === 'ACTIVE' ? deps.store.ecs.listTasks(scope.accountId, scope.region, c.name) : [];
  const services = c.status === 'ACTIVE' ? deps.store.ecs.listServices(scope.accountId, scope.region, c.name) : [];
  return compact({
    clusterArn: ecsArn.cluster(scope, c.name),
    clusterName: c.name,
    status: c.status,
    registeredContainerInstancesCount: 0,
    runningTasksCount: tasks.filter((t) => t.lastStatus === 'RUNNING').length,
    pendingTasksCount: tasks.filter((t) => t.lastStatus === 'PROVISIONING' || t.lastStatus === 'PENDING').length,
    activeServicesCount: services.filter((s) => s.status === 'ACTIVE').length,
    statistics: [],
    tags: include.includes('TAGS') ? c.tags : undefined,
    settings: c.settings,
    capacityProviders: [],
    defaultCapacityProviderStrategy: [],
  });
}

/** A task as DescribeTasks / RunTask return it. */
export function taskJson(scope: Scope, t: TaskDoc, include: readonly string[] = []): Record<string, unknown> {
  const taskArn = ecsArn.task(scope, t.clusterName, t.taskId);
  const attachments = t.eni ? [eniAttachment(t)] : [];
  return compact({
    taskArn,
    clusterArn: ecsArn.cluster(scope, t.clusterName),
    taskDefinitionArn: t.taskDefinitionArn,
    overrides: { containerOverrides: t.overrides.containerOverrides, inferenceAcceleratorOverrides: [] },
    lastStatus: t.lastStatus,
    desiredStatus: t.desiredStatus,
    cpu: t.cpu,
    memory: t.memory,
    containers: t.containers.map((c) =>
      compact({
        containerArn: ecsArn.container(scope, t.clusterName, t.taskId, c.uuid),
        taskArn,
        name: c.name,
        image: c.image,
        imageDigest: c.imageDigest,
        runtimeId: c.runtimeId,
        lastStatus: c.lastStatus,
        exitCode: c.exitCode,
        reason: c.reason,
        networkBindings: c.networkBindings,
        networkInterfaces: t.eni ? [{ attachmentId: t.eni.attachmentId, privateIpv4Address: '127.0.0.1' }] : [],
        healthStatus: 'UNKNOWN',
        cpu: String(c.cpu),
        memory: c.memory === undefined ? undefined : String(c.memory),
        memoryReservation: c.memoryReservation === undefined ? undefined : String(c.memoryReservation),
      }),
    ),
    startedBy: t.startedBy,
    version: t.version,
    stoppedReason: t.stoppedReason,
    stopCode: t.stopCode,
    connectivity: t.lastStatus === 'PROVISIONING' ? undefined : 'CONNECTED',
    connectivityAt: t.lastStatus === 'PROVISIONING' ? undefined : seconds(t.pullStartedAt ?? t.createdAt),
    pullStartedAt: seconds(t.pullStartedAt),
    pullStoppedAt: seconds(t.pullStoppedAt),
    executionStoppedAt: seconds(t.executionStoppedAt),
    createdAt: seconds(t.createdAt),
    startedAt: seconds(t.startedAt),
    stoppingAt: seconds(t.stoppingAt),
    stoppedAt: seconds(t.stoppedAt),
    group: t.group,
    launchType: t.launchType,
    platformVersion: t.launchType === 'FARGATE' ? '1.4.0' : undefined,
    platformFamily: t.launchType === 'FARGATE' ? 'Linux' : undefined,
    availabilityZone: `${scope.region}a`,
    attachments,
    healthStatus: 'UNKNOWN',
    enableExecuteCommand: false,
    ephemeralStorage: t.launchType === 'FARGATE' ? { sizeInGiB: 20 } : undefined,
    tags: include.includes('TAGS') ? t.tags : undefined,
  });
}

function eniAttachment(t: TaskDoc): Record<string, unknown> {
  const eni = t.eni!;
  const status = t.lastStatus === 'STOPPED' ? 'DELETED' : t.lastStatus === 'PROVISIONING' ? 'PRECREATED' : t.lastStatus === 'DEPROVISIONING' ? 'DETACHING' : 'ATTACHED';
  const published = t.containers.flatMap((c) =>
    c.networkBindings.map((b) => ({ name: `sandboxPublishedPort.${b.containerPort}/${b.protocol}`, value: `${b.bindIP}:${b.hostPort}` })),
  );
  return {
    id: eni.attachmentId,
    type: 'ElasticNetworkInterface',
    status,
    details: [
      { name: 'subnetId', value: eni.subnetId },
      { name: 'networkInterfaceId', value: eni.id },
      { name: 'macAddress', value: eni.macAddress },
      { name: 'privateDnsName', value: 'localhost' },
      { name: 'privateIPv4Address', value: '127.0.0.1' },
      ...published,
    ],
  };
}

/** A service with live counts from its tasks. */
export function serviceJson(deps: EcsDeps, scope: Scope, s: ServiceDoc, include: readonly string[] = []): Record<string, unknown> {
  const tasks = deps.store.ecs.listServiceTasks(scope.accountId, scope.region, s.clusterName, s.name).filter((t) => t.desiredStatus === 'RUNNING');
  const running = (deploymentId?: string) => tasks.filter((t) => t.lastStatus === 'RUNNING' && (!deploymentId || t.deploymentId === deploymentId)).length;
  const pending = (deploymentId?: string) =>
    tasks.filter((t) => (t.lastStatus === 'PROVISIONING' || t.lastStatus === 'PENDING') && (!deploymentId || t.deploymentId === deploymentId)).length;
  const platformVersion = s.launchType === 'FARGATE' ? 'LATEST' : undefined;
  return compact({
    serviceArn: ecsArn.service(scope, s.clusterName, s.name),
    serviceName: s.name,
    clusterArn: ecsArn.cluster(scope, s.clusterName),
    loadBalancers: [],
    serviceRegistries: [],
    status: s.status,
    desiredCount: s.desiredCount,
    runningCount: running(),
    pendingCount: pending(),
    launchType: s.launchType,
    platformVersion,
    platformFamily: platformVersion ? 'Linux' : undefined,
    taskDefinition: s.taskDefinition,
    deploymentConfiguration: s.deploymentConfiguration,
    deployments: s.deployments.map((d) =>
      compact({
        id: d.id,
        status: d.status,
        taskDefinition: d.taskDefinition,
        desiredCount: d.desiredCount,
        pendingCount: pending(d.id),
        runningCount: running(d.id),
        failedTasks: d.failedTasks,
        createdAt: seconds(d.createdAt),
        updatedAt: seconds(d.updatedAt),
        launchType: s.launchType,
        platformVersion,
        platformFamily: platformVersion ? 'Linux' : undefined,
        networkConfiguration: s.networkConfiguration,
        rolloutState: d.rolloutState,
        rolloutStateReason: d.rolloutStateReason,
      }),
    ),
    events: s.events.map((e) => ({ id: e.id, createdAt: seconds(e.createdAt), message: e.message })),
    createdAt: seconds(s.createdAt),
    placementConstraints: [],
    placementStrategy: [],
    networkConfiguration: s.networkConfiguration,
    schedulingStrategy: 'REPLICA',
    deploymentController: { type: 'ECS' },
    createdBy: `arn:aws:iam::${scope.accountId}:root`,
    enableECSManagedTags: false,
    propagateTags: 'NONE',
    enableExecuteCommand: false,
    ...s.extra,
    tags: include.includes('TAGS') ? s.tags : undefined,
  });
}
