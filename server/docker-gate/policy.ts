/**
 * What a learner's `docker` may ask of their container engine: a pure allowlist over the Docker Engine API.
 * Anything not listed is refused with a Docker-shaped error the docker CLI prints as
 * "Error response from daemon: … is not allowed in this classroom".
 */

export interface GatePolicy {
  /** Registries learners may log in to, pull from and push to (the sandbox's, or ECR's). */
  registryAllowed(host: string): boolean;
  /** `docker run` and friends: only when a lab declares it, and then never with host access. */
  readonly allowContainers: boolean;
}

export interface GateRequest {
  readonly method: string;
  /** Without the `/v1.41` version prefix. */
  readonly path: string;
  readonly query: URLSearchParams;
}

export type GateDecision =
  | {
      readonly kind: 'forward';
      readonly body?: 'auth' | 'container-create';
      /**
       * `redact-info`: `docker info` without the engine's paths. `wait-removed`: `docker run --rm`'s wait, which
       * podman 4.3 answers with exit code 0 whatever the container returned (podman#18889): the gate asks for
       * the next exit instead and answers once the container is gone.
       */
      readonly response?: 'redact-info' | 'wait-removed';
    }
  | { readonly kind: 'deny'; readonly message: string };

const forward: GateDecision = { kind: 'forward' };
const deny = (what: string): GateDecision => ({ kind: 'deny', message: `${what} is not allowed in this classroom` });

/** Splits `/v1.41/images/json` into its version-free path. */
export function unversionedPath(pathname: string): string {
  return pathname.replace(/^\/v\d+(\.\d+)?(?=\/)/, '');
}

/** Build options the classic builder may use; anything else (remote contexts, outputs, isolation…) is refused. */
const BUILD_PARAMS = new Set([
  't', 'q', 'nocache', 'rm', 'forcerm', 'pull', 'buildargs', 'labels', 'dockerfile', 'target', 'platform',
  'memory', 'memswap', 'cpushares', 'cpuperiod', 'cpuquota', 'shmsize', 'networkmode', 'cachefrom', 'version',
  'extrahosts', 'ulimits', 'squash', 'layers', 'jobs', 'session',
]);
/** Build networks that stay inside the engine's own (only `host` would share the server's). */
const BUILD_NETWORKS = new Set(['', 'default', 'bridge', 'none']);

/** The decision for one request. */
export function decide(req: GateRequest, policy: GatePolicy): GateDecision {
  const { method, path, query } = req;
  const read = method === 'GET' || method === 'HEAD';
  if (path === '/_ping' && read) return forward;
  if (path === '/version' && read) return forward;
  if (path === '/info' && read) return { kind: 'forward', response: 'redact-info' };
  if (path === '/auth' && method === 'POST') return { kind: 'forward', body: 'auth' };
  if (path === '/build' && method === 'POST') return decideBuild(query);
  if (path === '/images/json' && read) return forward;
  if (path === '/images/create' && method === 'POST') {
    if (query.has('fromSrc')) return deny('docker import');
    const image = query.get('fromImage') ?? '';
    const host = registryHost(image);
    if (!host || !policy.registryAllowed(host)) return deny(`pulling ${image || 'images'} (only the lab's registry)`);
    return forward;
  }
  const image = /^\/images\/(.+?)(?:\/(json|history|tag|push))?$/.exec(path);
  if (image) {
    const [, name = '', action] = image;
    if (action === 'json' || action === 'history') return read ? forward : deny(`${method} ${path}`);
    if (action === 'tag') return method === 'POST' ? forward : deny(`${method} ${path}`);
    if (action === 'push') {
      if (method !== 'POST') return deny(`${method} ${path}`);
      const host = registryHost(decodeURIComponent(name));
      if (!host || !policy.registryAllowed(host)) return deny(`pushing to ${host ?? 'Docker Hub'} (only the lab's registry)`);
      return forward;
    }
    if (method === 'DELETE') return forward;
  }
  if (path.startsWith('/containers/') || path === '/containers') return decideContainers(method, path, query, policy);
  if (path.startsWith('/exec/')) return deny('docker exec');
  const what = /^\/(\w+)/.exec(path)?.[1];
  return deny(what ? `docker ${what === 'images' ? `image ${method}` : what}` : `${method} ${path}`);
}

function decideBuild(query: URLSearchParams): GateDecision {
  for (const key of query.keys()) if (!BUILD_PARAMS.has(key)) return deny(`docker build option '${key}'`);
  if (!BUILD_NETWORKS.has(query.get('networkmode') ?? '')) return deny(`docker build --network ${query.get('networkmode')}`);
  const dockerfile = query.get('dockerfile') ?? '';
  // The Dockerfile is named inside the build context; a path outside it would be read from the server.
  if (dockerfile.startsWith('/') || dockerfile.split('/').includes('..')) return deny(`a Dockerfile outside the build context (${dockerfile})`);
  return forward;
}

const CONTAINER_ACTIONS = new Set(['json', 'start', 'stop', 'kill', 'wait', 'logs', 'attach', 'resize', 'restart', 'top']);

function decideContainers(method: string, path: string, query: URLSearchParams, policy: GatePolicy): GateDecision {
  if (!policy.allowContainers) return deny('docker run (containers)');
  if (path === '/containers/json' && method === 'GET') return forward;
  if (path === '/containers/create' && method === 'POST') return { kind: 'forward', body: 'container-create' };
  const m = /^\/containers\/[^/]+(?:\/([a-z]+))?$/.exec(path);
  if (m && !m[1] && method === 'DELETE') return forward;
  if (m?.[1] === 'exec') return deny('docker exec');
  if (m?.[1] === 'wait' && method === 'POST' && query.get('condition') === 'removed') return { kind: 'forward', response: 'wait-removed' };
  if (m && m[1] && CONTAINER_ACTIONS.has(m[1])) return forward;
  return deny(`${method} ${path}`);
}

/** The registry part of an image reference, if it names one (`host[:port]/repo`); undefined means Docker Hub. */
export function registryHost(reference: string): string | undefined {
  const slash = reference.indexOf('/');
  if (slash < 0) return undefined;
  const first = reference.slice(0, slash);
  return first.includes('.') || first.includes(':') || first === 'localhost' ? first.toLowerCase() : undefined;
}

/** Whether a `docker login` is for an allowed registry (the body is `{"serveraddress": …}`). */
export function checkAuth(body: unknown, policy: GatePolicy): string | undefined {
  const address = typeof body === 'object' && body !== null ? (body as { serveraddress?: unknown }).serveraddress : undefined;
  const host = typeof address === 'string' ? address.replace(/^https?:\/\//, '').replace(/\/.*$/, '').toLowerCase() : '';
  return host && policy.registryAllowed(host) ? undefined : `logging in to ${host || 'Docker Hub'} (only the lab's registry) is not allowed in this classroom`;
}

interface HostConfig {
  Privileged?: boolean;
  Binds?: string[] | null;
  Mounts?: { Type?: string; Source?: string; VolumeOptions?: { DriverConfig?: unknown } }[] | null;
  NetworkMode?: string;
  PidMode?: string;
  IpcMode?: string;
  UTSMode?: string;
  UsernsMode?: string;
  CgroupnsMode?: string;
  CapAdd?: string[] | null;
  Devices?: unknown[] | null;
  DeviceRequests?: unknown[] | null;
  DeviceCgroupRules?: string[] | null;
  SecurityOpt?: string[] | null;
  Sysctls?: Record<string, string> | null;
  Runtime?: string;
  CgroupParent?: string;
  OomKillDisable?: boolean;
  Memory?: number;
  PidsLimit?: number | null;
  PortBindings?: Record<string, { HostIp?: string; HostPort?: string }[] | null> | null;
}

/** Default caps for a learner's container when the request sets none. */
export const CONTAINER_DEFAULTS = { memoryBytes: 512 * 1024 * 1024, pids: 256 } as const;

/**
 * Containers a learner may have at a time (running or not). Their memory is not charged to the learner's cgroup
 * (the engine runs them), so the count is what bounds one learner's share: a few × the default memory cap.
 */
export const MAX_CONTAINERS_PER_LEARNER = 5;

/**
 * Checks a `POST /containers/create` body: nothing that reaches the host. Returns the refusal, or undefined
 * (and fills in the default memory and process caps).
 */
export function checkContainerCreate(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return 'a container without a valid configuration is not allowed in this classroom';
  const spec = body as { HostConfig?: HostConfig };
  const hc: HostConfig = spec.HostConfig ?? (spec.HostConfig = {});
  const refuse = (what: string) => `${what} is not allowed in this classroom`;
  if (hc.Privileged) return refuse('docker run --privileged');
  const hostBind = (hc.Binds ?? []).find((b) => b.startsWith('/') || b.startsWith('.'));
  if (hostBind) return refuse(`mounting a host folder (-v ${hostBind})`);
  for (const m of hc.Mounts ?? []) {
    if (m.Type === 'bind') return refuse(`mounting a host folder (--mount type=bind,source=${m.Source ?? ''})`);
    if (m.Type === 'volume' && m.VolumeOptions?.DriverConfig) return refuse('a volume with driver options');
    if (m.Type !== 'volume' && m.Type !== 'tmpfs') return refuse(`a ${m.Type ?? 'untyped'} mount`);
  }
  for (const [field, flag] of [['NetworkMode', '--network'], ['PidMode', '--pid'], ['IpcMode', '--ipc'], ['UTSMode', '--uts'], ['UsernsMode', '--userns'], ['CgroupnsMode', '--cgroupns']] as const) {
    if (hc[field] === 'host') return refuse(`docker run ${flag} host`);
  }
  if (hc.CapAdd?.length) return refuse(`docker run --cap-add ${hc.CapAdd.join(',')}`);
  if (hc.Devices?.length || hc.DeviceRequests?.length || hc.DeviceCgroupRules?.length) return refuse('giving a container host devices');
  const securityOpt = (hc.SecurityOpt ?? []).find((o) => !/^no-new-privileges(:true|=true)?$/.test(o));
  if (securityOpt) return refuse(`docker run --security-opt ${securityOpt}`);
  if (hc.Sysctls && Object.keys(hc.Sysctls).length) return refuse('docker run --sysctl');
  if (hc.Runtime && hc.Runtime !== 'runc') return refuse(`docker run --runtime ${hc.Runtime}`);
  if (hc.CgroupParent) return refuse('docker run --cgroup-parent');
  if (hc.OomKillDisable) return refuse('docker run --oom-kill-disable');
  // The engine runs as root: it could bind the ports below 1024 that the learner's own user cannot.
  for (const [port, bindings] of Object.entries(hc.PortBindings ?? {})) {
    for (const b of bindings ?? []) {
      const hostPort = Number.parseInt(b.HostPort ?? '', 10);
      if (hostPort > 0 && hostPort < 1024) return refuse(`publishing host port ${hostPort} (-p ${b.HostPort}:${port}; use a port from 1024 up)`);
    }
  }
  if (!hc.Memory || hc.Memory < 0) hc.Memory = CONTAINER_DEFAULTS.memoryBytes;
  if (!hc.PidsLimit || hc.PidsLimit < 0) hc.PidsLimit = CONTAINER_DEFAULTS.pids;
  // The caps are the most a container gets (the engine's work is not charged to the learner's cgroup).
  if (hc.Memory > CONTAINER_DEFAULTS.memoryBytes) return refuse(`docker run --memory above ${CONTAINER_DEFAULTS.memoryBytes / 1024 / 1024}m`);
  if (hc.PidsLimit > CONTAINER_DEFAULTS.pids) return refuse(`docker run --pids-limit above ${CONTAINER_DEFAULTS.pids}`);
  return undefined;
}

/** `docker info` without where the engine keeps its files or what the machine is called. */
export function redactInfo(info: Record<string, unknown>): Record<string, unknown> {
  const { DockerRootDir: _root, Name: _name, ID: _id, ...rest } = info;
  return { ...rest, Name: 'labrunner', DockerRootDir: '(hidden)' };
}
