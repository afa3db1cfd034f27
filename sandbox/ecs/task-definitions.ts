/** RegisterTaskDefinition, DescribeTaskDefinition, ListTaskDefinitions, ListTaskDefinitionFamilies, DeregisterTaskDefinition. */
import type { Scope } from '../contracts.ts';
import { ecsArn, ecsErrors, parseTaskDefinition, parseTaskDefinitionRef } from '../core/ecs/index.ts';
import type { TaskDefinition } from '../core/ecs/index.ts';
import { RequestReader } from '../core/request-reader.ts';
import type { Operation } from '../http/aws-json.ts';
import { paginate, readEcsTags, sameScope, type EcsDeps } from './context.ts';
import { parseEcsArn, isArn } from '../core/ecs/index.ts';
import { taskDefinitionJson } from './json.ts';

/**
 * Resolves `family` (latest ACTIVE revision), `family:revision` or an ARN (any status, as ECS describes
 * INACTIVE revisions by number); undefined when there is no such definition.
 */
export function findTaskDefinition(deps: EcsDeps, scope: Scope, ref: string): TaskDefinition | undefined {
  if (isArn(ref)) {
    const p = parseEcsArn(ref);
    if (!p || !sameScope(p.scope, scope)) return undefined;
  }
  const parsed = parseTaskDefinitionRef(ref);
  if (!parsed) return undefined;
  return parsed.revision === undefined
    ? deps.store.ecs.latestActive(scope.accountId, scope.region, parsed.family)
    : deps.store.ecs.getTaskDefinition(scope.accountId, scope.region, parsed.family, parsed.revision);
}

/** The task definition operations. */
export function taskDefinitionOperations(deps: EcsDeps): Record<string, Operation> {
  return {
    RegisterTaskDefinition(input, ctx) {
      const parsed = parseTaskDefinition(input, (r) => readEcsTags(r));
      const { accountId, region } = ctx.scope;
      const td = deps.store.transaction(() => {
        const doc: TaskDefinition = {
          ...parsed,
          revision: deps.store.ecs.lastRevision(accountId, region, parsed.family) + 1,
          status: 'ACTIVE',
          registeredAt: deps.now(),
        };
        deps.store.ecs.putTaskDefinition(accountId, region, doc);
        return doc;
      });
      return { taskDefinition: taskDefinitionJson(ctx.scope, td), tags: td.tags };
    },

    DescribeTaskDefinition(input, ctx) {
      const r = RequestReader.of(input);
      const ref = r.requiredString('taskDefinition');
      const include = r.stringList('include', { values: ['TAGS'] }) ?? [];
      r.done();
      const td = findTaskDefinition(deps, ctx.scope, ref);
      if (!td) throw ecsErrors.unableToDescribeTaskDefinition();
      return { taskDefinition: taskDefinitionJson(ctx.scope, td), ...(include.includes('TAGS') ? { tags: td.tags } : {}) };
    },

    ListTaskDefinitions(input, ctx) {
      const r = RequestReader.of(input);
      const familyPrefix = r.string('familyPrefix');
      const status = r.enumOf('status', ['ACTIVE', 'INACTIVE', 'DELETE_IN_PROGRESS']) ?? 'ACTIVE';
      const sort = r.enumOf('sort', ['ASC', 'DESC']) ?? 'ASC';
      const maxResults = r.integer('maxResults', 1, 100);
      const nextToken = r.string('nextToken');
      r.done();
      let all = deps.store.ecs
        .listTaskDefinitions(ctx.scope.accountId, ctx.scope.region)
        .filter((td) => td.status === status && (familyPrefix === undefined || td.family.startsWith(familyPrefix)));
      if (sort === 'DESC') all = all.reverse();
      const { page, nextToken: next } = paginate(all, maxResults, nextToken, 100);
      return { taskDefinitionArns: page.map((td) => ecsArn.taskDefinition(ctx.scope, td.family, td.revision)), ...(next ? { nextToken: next } : {}) };
    },

    ListTaskDefinitionFamilies(input, ctx) {
      const r = RequestReader.of(input);
      const familyPrefix = r.string('familyPrefix');
      const status = r.enumOf('status', ['ACTIVE', 'INACTIVE', 'ALL']) ?? 'ACTIVE';
      const maxResults = r.integer('maxResults', 1, 100);
      const nextToken = r.string('nextToken');
      r.done();
      const byFamily = new Map<string, boolean>(); // family → has an ACTIVE revision
      for (const td of deps.store.ecs.listTaskDefinitions(ctx.scope.accountId, ctx.scope.region)) {
        if (familyPrefix !== undefined && !td.family.startsWith(familyPrefix)) continue;
        byFamily.set(td.family, (byFamily.get(td.family) ?? false) || td.status === 'ACTIVE');
      }
      const families = [...byFamily]
        .filter(([, active]) => status === 'ALL' || (status === 'ACTIVE') === active)
        .map(([f]) => f)
        .sort();
      const { page, nextToken: next } = paginate(families, maxResults, nextToken, 100);
      return { families: page, ...(next ? { nextToken: next } : {}) };
    },

    DeregisterTaskDefinition(input, ctx) {
      const r = RequestReader.of(input);
      const ref = r.requiredString('taskDefinition');
      r.done();
      const parsed = parseTaskDefinitionRef(ref);
      if (parsed && parsed.revision === undefined) {
        throw ecsErrors.client('Invalid revision number. Number: ' + ref.split(':').pop()); // wording: best known
      }
      const td = deps.store.transaction(() => {
        const found = findTaskDefinition(deps, ctx.scope, ref);
        if (!found) throw ecsErrors.unableToDescribeTaskDefinition();
        if (found.status === 'INACTIVE') return found;
        const inactive: TaskDefinition = { ...found, status: 'INACTIVE', deregisteredAt: deps.now() };
        deps.store.ecs.putTaskDefinition(ctx.scope.accountId, ctx.scope.region, inactive);
        return inactive;
      });
      return { taskDefinition: taskDefinitionJson(ctx.scope, td) };
    },
  };
}
