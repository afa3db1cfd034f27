/** TagResource, UntagResource, ListTagsForResource on clusters, task definitions, tasks and services. */
import type { Scope } from '../contracts.ts';
import { ecsErrors, parseEcsArn } from '../core/ecs/index.ts';
import type { EcsTag } from '../core/ecs/index.ts';
import { RequestReader } from '../core/request-reader.ts';
import type { Operation } from '../http/aws-json.ts';
import { mergeTags, readEcsTags, sameScope, type EcsDeps } from './context.ts';

/** Reads and writes one resource's tags. */
interface Tagged {
  get(): readonly EcsTag[];
  set(tags: EcsTag[]): void;
}

/** The tagging operations. */
export function tagOperations(deps: EcsDeps): Record<string, Operation> {
  const resource = (scope: Scope, arn: string): Tagged => {
    const p = parseEcsArn(arn);
    if (!p) throw ecsErrors.invalidParameter(`Invalid resource ARN: ${arn}`); // wording: best known
    if (!sameScope(p.scope, scope)) throw ecsErrors.resourceNotFound();
    const { accountId, region } = scope;
    const ecs = deps.store.ecs;
    switch (p.type) {
      case 'cluster': {
        const c = ecs.getCluster(accountId, region, p.path[0]!);
        if (!c || c.status !== 'ACTIVE') throw ecsErrors.clusterNotFound();
        return { get: () => c.tags, set: (tags) => ecs.putCluster(accountId, region, { ...c, tags }) };
      }
      case 'task-definition': {
        const m = /^(.+):(\d+)$/.exec(p.path[0] ?? '');
        const td = m ? ecs.getTaskDefinition(accountId, region, m[1]!, Number(m[2])) : undefined;
        if (!td) throw ecsErrors.resourceNotFound();
        return { get: () => td.tags, set: (tags) => ecs.putTaskDefinition(accountId, region, { ...td, tags }) };
      }
      case 'task': {
        const t = ecs.getTask(p.path[p.path.length - 1]!);
        if (!t || !sameScope(t, scope)) throw ecsErrors.resourceNotFound();
        return { get: () => t.tags, set: (tags) => ecs.putTask({ ...t, tags, version: t.version + 1 }) };
      }
      case 'service': {
        const [cluster, name] = p.path.length === 2 ? p.path : ['default', p.path[0]];
        const s = ecs.getService(accountId, region, cluster!, name!);
        if (!s || s.status === 'INACTIVE') throw ecsErrors.resourceNotFound();
        return { get: () => s.tags, set: (tags) => ecs.putService(accountId, region, { ...s, tags }) };
      }
      default:
        throw ecsErrors.invalidParameter(`Invalid resource ARN: ${arn}`); // wording: best known
    }
  };
  return {
    TagResource(input, ctx) {
      const r = RequestReader.of(input);
      const arn = r.requiredString('resourceArn');
      const tags = readEcsTags(r);
      if (tags === undefined) r.requiredString('tags');
      r.done();
      deps.store.transaction(() => {
        const res = resource(ctx.scope, arn);
        res.set(mergeTags(res.get(), tags ?? []));
      });
      return {};
    },
    UntagResource(input, ctx) {
      const r = RequestReader.of(input);
      const arn = r.requiredString('resourceArn');
      const keys = r.stringList('tagKeys', { maxItems: 50 });
      if (keys === undefined) r.requiredString('tagKeys');
      r.done();
      deps.store.transaction(() => {
        const res = resource(ctx.scope, arn);
        res.set(res.get().filter((t) => !(keys ?? []).includes(t.key)));
      });
      return {};
    },
    ListTagsForResource(input, ctx) {
      const r = RequestReader.of(input);
      const arn = r.requiredString('resourceArn');
      r.done();
      return { tags: resource(ctx.scope, arn).get() };
    },
  };
}
