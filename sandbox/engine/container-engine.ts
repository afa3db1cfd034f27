/**
 * The container engine as the sandbox's ECS sees it: pull with credentials, create/start/stop/remove,
 * inspect, list by label and read logs. Implemented over the Docker Engine API ({@link DockerodeEngine});
 * tests of the task runner use the real engine, never a fake.
 */

/** Registry credentials for one pull (the task account's registry password). */
export interface PullAuth {
  readonly username: string;
  readonly password: string;
  readonly serveraddress: string;
}

/** Outcome of a pull: the engine's own message when it fails (it becomes `CannotPullContainerError: …`). */
export type PullResult = { readonly ok: true } | { readonly ok: false; readonly message: string };

/** A published port. `hostPort` 0 lets the engine pick a free one. */
export interface PortSpec {
  readonly containerPort: number;
  readonly protocol: 'tcp' | 'udp';
  readonly hostIp: string;
  readonly hostPort: number;
}

/** What to create. */
export interface ContainerSpec {
  readonly name: string;
  readonly image: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly entryPoint?: readonly string[];
  readonly command?: readonly string[];
  /** `NAME=value` strings. */
  readonly env: readonly string[];
  readonly workingDir?: string;
  readonly user?: string;
  readonly hostname?: string;
  /** `container:<id>` joins another container's network namespace (awsvpc tasks share one, as on ECS). */
  readonly networkMode: 'bridge' | 'host' | 'none' | `container:${string}`;
  readonly ports: readonly PortSpec[];
  readonly memoryBytes?: number;
  readonly memoryReservationBytes?: number;
  /** CPU shares (ECS container `cpu` units map 1:1 onto Docker's CpuShares). */
  readonly cpuShares?: number;
  /** Hard CPU limit in nano-CPUs (task-level cpu on Fargate-style tasks). */
  readonly nanoCpus?: number;
  /** Run an init process as PID 1 (linuxParameters.initProcessEnabled). */
  readonly init?: boolean;
}

/** A published port as the engine reports it. */
export interface PortBinding {
  readonly containerPort: number;
  readonly protocol: 'tcp' | 'udp';
  readonly hostIp: string;
  readonly hostPort: number;
}

/** A container's state as the engine reports it. */
export interface ContainerState {
  readonly id: string;
  readonly status: 'created' | 'running' | 'exited';
  readonly exitCode?: number;
  readonly oomKilled: boolean;
  readonly error?: string;
  readonly startedAt?: number;
  readonly finishedAt?: number;
  readonly ports: readonly PortBinding[];
  readonly imageId?: string;
}

/** A container found by label. */
export interface ListedContainer {
  readonly id: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly running: boolean;
}

/** An engine request that failed (create, start, ...): `message` is the engine's. */
export class EngineError extends Error {
  override readonly name = 'EngineError';
}

/** The container engine. */
export interface IContainerEngine {
  /** `unix:///…` of the Docker Engine API in use. */
  readonly dockerHost: string;
  pull(image: string, auth: PullAuth | undefined): Promise<PullResult>;
  hasImage(image: string): Promise<boolean>;
  /** The image's digest-pinned reference (`repo@sha256:…`) for `image`, when the engine knows it. */
  imageDigest(image: string): Promise<string | undefined>;
  create(spec: ContainerSpec): Promise<string>;
  start(id: string): Promise<void>;
  /** Undefined when the engine has no such container. */
  inspect(id: string): Promise<ContainerState | undefined>;
  /** SIGTERM, then SIGKILL after `timeoutSeconds`; a stopped or missing container is not an error. */
  stop(id: string, timeoutSeconds: number): Promise<void>;
  /** Sends a signal (e.g. SIGKILL) to a running container. */
  kill(id: string, signal?: string): Promise<void>;
  /** Force-removes; a missing container is not an error. */
  remove(id: string): Promise<void>;
  /** Containers (running or not) carrying every given label. */
  list(labels: Readonly<Record<string, string>>): Promise<ListedContainer[]>;
  /** The last `tail` lines of stdout and stderr, interleaved as written. */
  logs(id: string, tail: number): Promise<string>;
}
