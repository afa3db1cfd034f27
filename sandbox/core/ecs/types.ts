/** The ECS model as the sandbox stores it (JSON documents; times in epoch milliseconds). */

/** `{name, value}` pairs (environment, statistics, attachment details). */
export interface KeyValue {
  readonly name: string;
  readonly value: string;
}

/** ECS resource tags use lower-case keys. */
export interface EcsTag {
  readonly key: string;
  readonly value: string;
}

export type NetworkMode = 'bridge' | 'host' | 'awsvpc' | 'none';
export type LaunchType = 'EC2' | 'FARGATE' | 'EXTERNAL';

/** A port mapping after defaults (protocol tcp; hostPort = containerPort for awsvpc/host). */
export interface PortMapping {
  readonly containerPort: number;
  readonly hostPort?: number;
  readonly protocol: 'tcp' | 'udp';
  readonly name?: string;
  readonly appProtocol?: string;
}

/**
 * A container definition as DescribeTaskDefinition returns it: the fields the sandbox acts on are typed,
 * everything else the learner sent is kept and echoed back.
 */
export interface ContainerDefinition {
  readonly name: string;
  readonly image: string;
  readonly cpu: number;
  readonly memory?: number;
  readonly memoryReservation?: number;
  readonly essential: boolean;
  readonly portMappings: readonly PortMapping[];
  readonly environment: readonly KeyValue[];
  readonly command?: readonly string[];
  readonly entryPoint?: readonly string[];
  readonly workingDirectory?: string;
  readonly user?: string;
  readonly stopTimeout?: number;
  readonly linuxParameters?: { readonly initProcessEnabled?: boolean };
  readonly [extra: string]: unknown;
}

/** A registered task definition revision. */
export interface TaskDefinition {
  readonly family: string;
  readonly revision: number;
  readonly status: 'ACTIVE' | 'INACTIVE';
  readonly networkMode: NetworkMode;
  readonly requiresCompatibilities: readonly LaunchType[];
  readonly compatibilities: readonly LaunchType[];
  readonly containerDefinitions: readonly ContainerDefinition[];
  /** Task-level CPU units / MiB, as strings (ECS's shape). */
  readonly cpu?: string;
  readonly memory?: string;
  readonly registeredAt: number;
  readonly deregisteredAt?: number;
  readonly tags: readonly EcsTag[];
  /** Other members the learner sent (taskRoleArn, executionRoleArn, volumes, ...), echoed back. */
  readonly extra: Readonly<Record<string, unknown>>;
}

/** What RegisterTaskDefinition validated, before the store assigns a revision. */
export type NewTaskDefinition = Omit<TaskDefinition, 'revision' | 'status' | 'registeredAt' | 'deregisteredAt'>;

/** A cluster. Counts (running tasks, services) are computed when it is described. */
export interface ClusterDoc {
  readonly name: string;
  readonly status: 'ACTIVE' | 'INACTIVE';
  readonly createdAt: number;
  readonly tags: readonly EcsTag[];
  readonly settings: readonly KeyValue[];
}

/** A published port, as DescribeTasks reports it. */
export interface NetworkBinding {
  readonly bindIP: string;
  readonly containerPort: number;
  readonly hostPort: number;
  readonly protocol: 'tcp' | 'udp';
}

/** One container of a task. */
export interface TaskContainerDoc {
  readonly name: string;
  /** Random uuid that ends the container ARN. */
  readonly uuid: string;
  readonly image: string;
  readonly imageDigest?: string;
  /** The engine's container id once created. */
  readonly runtimeId?: string;
  readonly essential: boolean;
  readonly lastStatus: 'PENDING' | 'RUNNING' | 'STOPPED';
  readonly exitCode?: number;
  readonly reason?: string;
  readonly networkBindings: readonly NetworkBinding[];
  readonly cpu: number;
  readonly memory?: number;
  readonly memoryReservation?: number;
  /** The last lines of output, captured before the container is removed. */
  readonly logTail?: string;
}

/** RunTask's per-container overrides the sandbox applies. */
export interface ContainerOverride {
  readonly name: string;
  readonly command?: readonly string[];
  readonly environment?: readonly KeyValue[];
}

/** A task. */
export interface TaskDoc {
  readonly taskId: string;
  readonly accountId: string;
  readonly region: string;
  readonly clusterName: string;
  readonly taskDefinitionArn: string;
  readonly family: string;
  readonly revision: number;
  readonly launchType: LaunchType;
  readonly networkMode: NetworkMode;
  readonly cpu?: string;
  readonly memory?: string;
  readonly group: string;
  readonly startedBy?: string;
  readonly serviceName?: string;
  readonly deploymentId?: string;
  readonly lastStatus: import('./task-state.ts').TaskStatus;
  readonly desiredStatus: import('./task-state.ts').DesiredStatus;
  /** Bumped on every change (DescribeTasks' `version`). */
  readonly version: number;
  readonly createdAt: number;
  readonly pullStartedAt?: number;
  readonly pullStoppedAt?: number;
  readonly startedAt?: number;
  readonly stoppingAt?: number;
  readonly executionStoppedAt?: number;
  readonly stoppedAt?: number;
  readonly stopCode?: import('./task-state.ts').StopCode;
  readonly stoppedReason?: string;
  readonly containers: readonly TaskContainerDoc[];
  readonly overrides: { readonly containerOverrides: readonly ContainerOverride[] };
  /** awsvpc tasks: the (simulated) elastic network interface. */
  readonly eni?: { readonly attachmentId: string; readonly id: string; readonly subnetId: string; readonly macAddress: string };
  readonly tags: readonly EcsTag[];
}

/** A service event (newest first in the service). */
export interface ServiceEvent {
  readonly id: string;
  readonly createdAt: number;
  readonly message: string;
}

/** awsvpc network configuration as given (ECS echoes it back). */
export interface NetworkConfiguration {
  readonly awsvpcConfiguration?: { readonly subnets: readonly string[]; readonly securityGroups?: readonly string[]; readonly assignPublicIp?: string };
}

/** A service. */
export interface ServiceDoc {
  readonly name: string;
  readonly clusterName: string;
  readonly status: import('./service-plan.ts').ServiceStatus;
  readonly desiredCount: number;
  readonly taskDefinition: string;
  readonly launchType: LaunchType;
  readonly networkConfiguration?: NetworkConfiguration;
  readonly deployments: readonly import('./service-plan.ts').DeploymentState[];
  readonly events: readonly ServiceEvent[];
  readonly createdAt: number;
  readonly tags: readonly EcsTag[];
  readonly steady: boolean;
  /** Consecutive task failures (restart backoff). */
  readonly failures: number;
  readonly startBlockedUntil: number;
  /** Task stops up to this time (stoppedAt) have been counted into `failures`. */
  readonly stopsSeenUntil?: number;
  readonly deploymentConfiguration: Readonly<Record<string, unknown>>;
  readonly extra: Readonly<Record<string, unknown>>;
}
