/**
 * RegisterTaskDefinition's validation and defaults, as ECS applies them. Shape problems (wrong types,
 * missing required members) are ValidationExceptions from the {@link RequestReader}; rule problems are
 * ClientExceptions with ECS's messages. Messages quoted in aws-sandbox-spec.md are exact; the others follow
 * the wording ECS uses for the same rule (marked "wording: best known").
 */
import { RequestReader } from '../request-reader.ts';
import { ecsErrors } from './errors.ts';
import type { ContainerDefinition, EcsTag, KeyValue, LaunchType, NetworkMode, NewTaskDefinition, PortMapping } from './types.ts';

const NETWORK_MODES = ['bridge', 'host', 'awsvpc', 'none'] as const;
const LAUNCH_TYPES = ['EC2', 'FARGATE', 'EXTERNAL'] as const;
const NAME = /^[A-Za-z0-9_-]{1,255}$/;

/** Members of the request handled explicitly; the rest are echoed back as given. */
const HANDLED = new Set(['family', 'containerDefinitions', 'networkMode', 'requiresCompatibilities', 'cpu', 'memory', 'tags']);

/** Fargate's valid task sizes: CPU units → allowed memory (MiB). */
const FARGATE_SIZES: ReadonlyMap<number, readonly number[]> = new Map([
  [256, [512, 1024, 2048]],
  [512, range(1024, 4096, 1024)],
  [1024, range(2048, 8192, 1024)],
  [2048, range(4096, 16384, 1024)],
  [4096, range(8192, 30720, 1024)],
  [8192, range(16384, 61440, 4096)],
  [16384, range(32768, 122880, 8192)],
]);

/** Validates a RegisterTaskDefinition request; throws AwsError (ValidationException / ClientException). */
export function parseTaskDefinition(input: unknown, readTags: (r: RequestReader) => EcsTag[] | undefined): NewTaskDefinition {
  const r = RequestReader.of(input);
  const family = r.requiredString('family');
  const networkMode = r.enumOf('networkMode', NETWORK_MODES) ?? 'bridge';
  const requires = (r.stringList('requiresCompatibilities') ?? []) as LaunchType[];
  const cpuText = r.string('cpu');
  const memoryText = r.string('memory');
  const checked = r.objectList('containerDefinitions', (c) => checkContainer(c));
  if (checked === undefined) r.requiredString('containerDefinitions');
  const tags = readTags(r);
  r.done();
  for (const t of requires) {
    if (!(LAUNCH_TYPES as readonly string[]).includes(t)) throw ecsErrors.client(`Invalid launch type '${t}'. Valid values are EC2, FARGATE and EXTERNAL.`);
  }

  // wording: best known
  if (!NAME.test(family)) {
    throw ecsErrors.client('Family must be between 1 and 255 characters long and contain only letters (uppercase and lowercase), numbers, hyphens and underscores.');
  }
  const containers = (((input as Record<string, unknown>)['containerDefinitions'] as unknown[] | undefined) ?? []).map(
    (c): RawContainer => (typeof c === 'object' && c !== null && !Array.isArray(c) ? (c as RawContainer) : {}),
  );
  if (containers.length === 0) throw ecsErrors.client('Container list cannot be empty.');

  const cpu = cpuText === undefined ? undefined : parseUnits(cpuText, 'cpu');
  const memory = memoryText === undefined ? undefined : parseUnits(memoryText, 'memory');
  if (requires.includes('FARGATE')) checkFargate(networkMode, cpu, memory);

  const seen = new Set<string>();
  const defs = containers.map((c) => {
    const def = normaliseContainer(c, networkMode, memory !== undefined);
    if (seen.has(def.name)) throw ecsErrors.client(`Duplicate container name '${def.name}' in task definition.`); // wording: best known
    seen.add(def.name);
    return def;
  });
  if (!defs.some((d) => d.essential)) throw ecsErrors.client('At least one essential container is required.'); // wording: best known

  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input as Record<string, unknown>)) if (!HANDLED.has(k) && v !== null) extra[k] = v;
  return {
    family,
    networkMode,
    requiresCompatibilities: requires,
    // What this definition can run on: EC2 always (the sandbox's "instances"), FARGATE when its rules hold.
    compatibilities: fargateCompatible(networkMode, cpu, memory) ? ['EC2', 'FARGATE'] : ['EC2'],
    containerDefinitions: defs,
    ...(cpu !== undefined ? { cpu: String(cpu) } : {}),
    ...(memory !== undefined ? { memory: String(memory) } : {}),
    tags: tags ?? [],
    extra,
  };
}

type RawContainer = Record<string, unknown> & { name?: string; image?: string; portMappings?: RawPort[] };
type RawPort = { containerPort?: number; hostPort?: number; protocol?: string; name?: string; appProtocol?: string };

/** Reads the members the sandbox acts on so their types are checked; the raw object itself is kept. */
function checkContainer(c: RequestReader): void {
  c.string('name');
  c.string('image');
  c.integer('cpu');
  c.integer('memory');
  c.integer('memoryReservation');
  c.boolean('essential');
  c.stringList('command');
  c.stringList('entryPoint');
  c.string('workingDirectory');
  c.string('user');
  c.integer('stopTimeout');
  c.objectList('environment', (e) => ({ name: e.string('name'), value: e.string('value') }));
  c.objectList('portMappings', (p) => {
    p.integer('containerPort');
    p.integer('hostPort');
    p.enumOf('protocol', ['tcp', 'udp']);
    return undefined;
  });
  c.object('linuxParameters', (l) => l.boolean('initProcessEnabled'));
}

function normaliseContainer(c: RawContainer, networkMode: NetworkMode, taskMemory: boolean): ContainerDefinition {
  if (!c.name) throw ecsErrors.client('Container.name should not be null or empty.');
  if (!NAME.test(c.name)) {
    // wording: best known
    throw ecsErrors.client(`Container name '${c.name}' is invalid: up to 255 letters (uppercase and lowercase), numbers, hyphens and underscores are allowed.`);
  }
  if (!c.image) throw ecsErrors.client('Container.image should not be null or empty.');
  const memory = c['memory'] as number | undefined;
  const reservation = c['memoryReservation'] as number | undefined;
  if (!taskMemory && memory === undefined && reservation === undefined) {
    throw ecsErrors.client(`Invalid setting for container '${c.name}'. At least one of 'memory' or 'memoryReservation' must be specified.`);
  }
  if (memory !== undefined && memory < 6) {
    throw ecsErrors.client(`Invalid 'memory' setting for container '${c.name}'. The minimum is 6 MiB.`); // wording: best known
  }
  if (memory !== undefined && reservation !== undefined && memory < reservation) {
    throw ecsErrors.client(`Invalid setting for container '${c.name}'. 'memory' must be greater than or equal to 'memoryReservation'.`); // wording: best known
  }
  const ports = (c.portMappings ?? []).map((p) => normalisePort(c.name!, p, networkMode));
  const env = (c['environment'] as KeyValue[] | undefined) ?? [];
  return {
    ...c,
    name: c.name,
    image: c.image,
    cpu: (c['cpu'] as number | undefined) ?? 0,
    essential: (c['essential'] as boolean | undefined) ?? true,
    portMappings: ports,
    environment: env,
    mountPoints: (c['mountPoints'] as unknown[] | undefined) ?? [],
    volumesFrom: (c['volumesFrom'] as unknown[] | undefined) ?? [],
  };
}

function normalisePort(container: string, p: RawPort, networkMode: NetworkMode): PortMapping {
  const containerPort = p.containerPort;
  if (containerPort === undefined || containerPort < 1 || containerPort > 65535) {
    throw ecsErrors.client(`Invalid 'containerPort' setting for container '${container}'.`); // wording: best known
  }
  if (p.hostPort !== undefined && (p.hostPort < 0 || p.hostPort > 65535)) {
    throw ecsErrors.client(`Invalid 'hostPort' setting for container '${container}'.`); // wording: best known
  }
  let hostPort = p.hostPort;
  if (networkMode === 'awsvpc' || networkMode === 'host') {
    if (hostPort !== undefined && hostPort !== containerPort) {
      throw ecsErrors.client(`When networkMode=${networkMode}, the host ports and container ports in port mappings must match.`);
    }
    hostPort = containerPort;
  }
  return {
    containerPort,
    ...(hostPort !== undefined ? { hostPort } : {}),
    protocol: p.protocol === 'udp' ? 'udp' : 'tcp',
    ...(p.name !== undefined ? { name: p.name } : {}),
    ...(p.appProtocol !== undefined ? { appProtocol: p.appProtocol } : {}),
  };
}

function checkFargate(networkMode: NetworkMode, cpu: number | undefined, memory: number | undefined): void {
  if (networkMode !== 'awsvpc') throw ecsErrors.client('Fargate only supports network mode \u2018awsvpc\u2019.');
  if (cpu === undefined) throw ecsErrors.client("Fargate requires that 'cpu' be defined at the task level.");
  if (memory === undefined) throw ecsErrors.client("Fargate requires that 'memory' be defined at the task level.");
  if (!FARGATE_SIZES.get(cpu)?.includes(memory)) {
    throw ecsErrors.client(`No Fargate configuration exists for given values: ${cpu} CPU, ${memory} memory. See the Amazon ECS documentation for the valid values.`); // wording: best known
  }
}

function fargateCompatible(networkMode: NetworkMode, cpu: number | undefined, memory: number | undefined): boolean {
  return networkMode === 'awsvpc' && cpu !== undefined && memory !== undefined && FARGATE_SIZES.get(cpu)?.includes(memory) === true;
}

/** `"256"`, `"0.25 vCPU"`, `"1 vCPU"` → CPU units; `"512"`, `"0.5 GB"`, `"2GB"` → MiB. */
export function parseUnits(text: string, field: 'cpu' | 'memory'): number {
  const m = /^\s*([0-9]+(?:\.[0-9]+)?)\s*(vcpu|gb|mib|mb)?\s*$/i.exec(text);
  const unit = m?.[2]?.toLowerCase();
  const okUnit = unit === undefined || (field === 'cpu' ? unit === 'vcpu' : unit !== 'vcpu');
  if (!m || !okUnit) throw ecsErrors.client(`Invalid '${field}' setting for task: '${text}'.`); // wording: best known
  const n = Number(m[1]);
  const value = unit === 'vcpu' ? n * 1024 : unit === 'gb' ? n * 1024 : n;
  if (!Number.isInteger(value) || value <= 0) throw ecsErrors.client(`Invalid '${field}' setting for task: '${text}'.`);
  return value;
}

function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let v = from; v <= to; v += step) out.push(v);
  return out;
}
