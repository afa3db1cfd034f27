/** What every ECS operation module needs, and the small helpers they share. */
import { randomBytes, randomInt } from 'node:crypto';
import type { Scope } from '../contracts.ts';
import { invalidParameter } from '../core/aws-error.ts';
import { clusterNameOf, ecsErrors } from '../core/ecs/index.ts';
import type { ClusterDoc, EcsTag } from '../core/ecs/index.ts';
import { RequestReader } from '../core/request-reader.ts';
import type { MetadataStore } from '../storage/metadata-store.ts';

/** Starts tasks' containers and wakes the scheduler; absent when the sandbox has no container engine. */
export interface ITaskLauncher {
  /** Begins launching a task already stored as PROVISIONING. */
  launch(taskId: string): void;
  /** Asks the runner/scheduler loop to look at tasks and services now (after a stop, an update, ...). */
  wake(): void;
}

/** Dependencies of the ECS operations, wired by `startSandbox`. */
export interface EcsDeps {
  readonly store: MetadataStore;
  /** Sandbox time (epoch ms). */
  readonly now: () => number;
  readonly launcher: ITaskLauncher | undefined;
  /** Largest desiredCount a service may have here (ECS's own quota is 5000 per service). */
  readonly maxServiceTasks: number;
}

/** ECS's cluster/service/container names: up to 255 letters, digits, hyphens and underscores. */
export const ECS_NAME = /^[A-Za-z0-9_-]{1,255}$/;

/** The cluster an operation names (default `default`); INACTIVE clusters are not found, as on ECS. */
export function requireCluster(deps: EcsDeps, scope: Scope, ref: string | undefined): ClusterDoc {
  const name = clusterNameOf(ref ?? 'default');
  const doc = name === undefined ? undefined : deps.store.ecs.getCluster(scope.accountId, scope.region, name);
  if (!doc || doc.status !== 'ACTIVE') throw ecsErrors.clusterNotFound();
  return doc;
}

/** The scope an ARN names must be the caller's (the sandbox has no cross-account ECS access). */
export function sameScope(a: Scope, b: Scope): boolean {
  return a.accountId === b.accountId && a.region === b.region;
}

/** Epoch milliseconds → AWS JSON 1.1 timestamp (epoch seconds). */
export const seconds = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : ms / 1000);

/** Reads ECS `[{key, value}]` tags with ECS's rules. */
export function readEcsTags(r: RequestReader, field = 'tags'): EcsTag[] | undefined {
  const tags = r.objectList(field, (t) => ({ key: t.string('key', { min: 1, max: 128 }), value: t.string('value', { max: 256 }) }), { max: 50 });
  if (!tags) return undefined;
  for (const t of tags) {
    if (t.key === undefined) throw invalidParameter('Tag key cannot be null or empty.'); // wording: best known
    if (t.key.toLowerCase().startsWith('aws:')) throw invalidParameter("Tag keys beginning with 'aws:' are reserved."); // wording: best known
  }
  return tags.map((t) => ({ key: t.key!, value: t.value ?? '' }));
}

/** Merges tags by key (later wins). */
export function mergeTags(existing: readonly EcsTag[], added: readonly EcsTag[]): EcsTag[] {
  const byKey = new Map(existing.map((t) => [t.key, t]));
  for (const t of added) byKey.set(t.key, t);
  if (byKey.size > 50) throw invalidParameter('The number of tags exceeds the limit of 50 tags.'); // wording: best known
  return [...byKey.values()];
}

/** Pages with an opaque nextToken (an offset), as ECS's list operations do. */
export function paginate<T>(items: readonly T[], maxResults: number | undefined, nextToken: string | undefined, defaultMax: number): { page: T[]; nextToken?: string } {
  let start = 0;
  if (nextToken !== undefined) {
    const decoded = /^o:(\d+)$/.exec(Buffer.from(nextToken, 'base64url').toString('utf8'));
    if (!decoded) throw invalidParameter('Invalid nextToken.'); // wording: best known
    start = Number(decoded[1]);
  }
  const size = maxResults ?? defaultMax;
  const page = items.slice(start, start + size);
  const next = start + size < items.length ? Buffer.from(`o:${start + size}`).toString('base64url') : undefined;
  return next ? { page, nextToken: next } : { page };
}

/** 32 lower-case hex digits: a task id. */
export const newTaskId = (): string => randomBytes(16).toString('hex');

/** A random v4-style uuid (container ARNs, event ids, ENI attachments). */
export const newUuid = (): string => crypto.randomUUID();

/** 19 random digits (deployment ids `ecs-svc/<digits>`). */
export const random19Digits = (): string => String(randomInt(1, 10)) + Array.from({ length: 18 }, () => String(randomInt(0, 10))).join('');
