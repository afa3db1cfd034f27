/**
 * ECS resource names (long ARN format, as every account has used since 2021):
 * `arn:aws:ecs:<region>:<account>:<type>/<...>`. Operations accept either a short name or a full ARN for
 * clusters, services, task definitions and tasks; these helpers turn both into the parts they address.
 */
import type { Scope } from '../scope.ts';

const base = (s: Scope) => `arn:aws:ecs:${s.region}:${s.accountId}`;

/** ARN formatters. */
export const ecsArn = {
  cluster: (s: Scope, name: string) => `${base(s)}:cluster/${name}`,
  taskDefinition: (s: Scope, family: string, revision: number) => `${base(s)}:task-definition/${family}:${revision}`,
  task: (s: Scope, cluster: string, taskId: string) => `${base(s)}:task/${cluster}/${taskId}`,
  container: (s: Scope, cluster: string, taskId: string, uuid: string) => `${base(s)}:container/${cluster}/${taskId}/${uuid}`,
  service: (s: Scope, cluster: string, name: string) => `${base(s)}:service/${cluster}/${name}`,
} as const;

/** A parsed ECS ARN: its scope, resource type and the `/`-separated resource path. */
export interface ParsedEcsArn {
  readonly scope: Scope;
  readonly type: string;
  readonly path: readonly string[];
}

/** Parses `arn:aws:ecs:<region>:<account>:<type>/<a>/<b>`; undefined when it is not an ECS ARN. */
export function parseEcsArn(arn: string): ParsedEcsArn | undefined {
  const m = /^arn:aws:ecs:([0-9a-z-]{2,25}):([0-9]{12}):([a-z-]+)\/(.+)$/.exec(arn);
  if (!m) return undefined;
  return { scope: { region: m[1]!, accountId: m[2]! }, type: m[3]!, path: m[4]!.split('/') };
}

/** True when the string looks like an ARN at all (then it must parse, or it names nothing). */
export const isArn = (s: string): boolean => s.startsWith('arn:');

/** Cluster name from a name or cluster ARN; undefined for an ARN that is not a cluster's. */
export function clusterNameOf(ref: string): string | undefined {
  if (!isArn(ref)) return ref;
  const p = parseEcsArn(ref);
  return p?.type === 'cluster' && p.path.length === 1 ? p.path[0] : undefined;
}

/** Task definition reference: `family`, `family:revision` or a task-definition ARN. */
export function parseTaskDefinitionRef(ref: string): { family: string; revision?: number } | undefined {
  let text = ref;
  if (isArn(ref)) {
    const p = parseEcsArn(ref);
    if (p?.type !== 'task-definition' || p.path.length !== 1) return undefined;
    text = p.path[0]!;
  }
  const m = /^([A-Za-z0-9_-]{1,255})(?::([0-9]{1,9}))?$/.exec(text);
  if (!m) return undefined;
  return m[2] === undefined ? { family: m[1]! } : { family: m[1]!, revision: Number(m[2]) };
}

/** Task id from an id or a task ARN (long `task/<cluster>/<id>` or old `task/<id>` form). */
export function taskIdOf(ref: string): string | undefined {
  if (!isArn(ref)) return ref;
  const p = parseEcsArn(ref);
  if (p?.type !== 'task') return undefined;
  return p.path[p.path.length - 1];
}

/** Service name from a name or service ARN (long `service/<cluster>/<name>` or old `service/<name>`). */
export function serviceNameOf(ref: string): string | undefined {
  if (!isArn(ref)) return ref;
  const p = parseEcsArn(ref);
  if (p?.type !== 'service') return undefined;
  return p.path[p.path.length - 1];
}
