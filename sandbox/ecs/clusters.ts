/** CreateCluster, DescribeClusters, ListClusters, DeleteCluster. */
import { ecsArn, ecsErrors, clusterNameOf } from '../core/ecs/index.ts';
import type { ClusterDoc } from '../core/ecs/index.ts';
import { RequestReader } from '../core/request-reader.ts';
import type { Operation } from '../http/aws-json.ts';
import { clusterJson } from './json.ts';
import { ECS_NAME, paginate, readEcsTags, requireCluster, type EcsDeps } from './context.ts';

const INCLUDE = ['ATTACHMENTS', 'CONFIGURATIONS', 'SETTINGS', 'STATISTICS', 'TAGS'];

/** The cluster operations. */
export function clusterOperations(deps: EcsDeps): Record<string, Operation> {
  return {
    CreateCluster(input, ctx) {
      const r = RequestReader.of(input);
      const name = r.string('clusterName') ?? 'default';
      const tags = readEcsTags(r);
      const settings = r.objectList('settings', (s) => ({ name: s.requiredString('name', { values: ['containerInsights'] }), value: s.requiredString('value') }));
      r.done();
      if (!ECS_NAME.test(name)) {
        // wording: best known
        throw ecsErrors.invalidParameter('Clusters can contain up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens.');
      }
      const { accountId, region } = ctx.scope;
      const doc = deps.store.transaction(() => {
        const existing = deps.store.ecs.getCluster(accountId, region, name);
        // CreateCluster is idempotent on ECS: an ACTIVE cluster of that name is returned as it is.
        if (existing?.status === 'ACTIVE') return existing;
        const created: ClusterDoc = {
          name,
          status: 'ACTIVE',
          createdAt: deps.now(),
          tags: tags ?? [],
          settings: settings ?? [{ name: 'containerInsights', value: 'disabled' }],
        };
        deps.store.ecs.putCluster(accountId, region, created);
        return created;
      });
      return { cluster: clusterJson(deps, ctx.scope, doc, ['TAGS']) };
    },

    DescribeClusters(input, ctx) {
      const r = RequestReader.of(input);
      const refs = r.stringList('clusters', { maxItems: 100 }) ?? ['default'];
      const include = r.stringList('include', { values: INCLUDE }) ?? [];
      r.done();
      const clusters: Record<string, unknown>[] = [];
      const failures: { arn: string; reason: string }[] = [];
      for (const ref of refs) {
        const name = clusterNameOf(ref);
        const doc = name === undefined ? undefined : deps.store.ecs.getCluster(ctx.scope.accountId, ctx.scope.region, name);
        if (doc) clusters.push(clusterJson(deps, ctx.scope, doc, include));
        else failures.push({ arn: name === undefined ? ref : ecsArn.cluster(ctx.scope, name), reason: 'MISSING' });
      }
      return { clusters, failures };
    },

    ListClusters(input, ctx) {
      const r = RequestReader.of(input);
      const maxResults = r.integer('maxResults', 1, 100);
      const nextToken = r.string('nextToken');
      r.done();
      const active = deps.store.ecs.listClusters(ctx.scope.accountId, ctx.scope.region).filter((c) => c.status === 'ACTIVE');
      const { page, nextToken: next } = paginate(active, maxResults, nextToken, 100);
      return { clusterArns: page.map((c) => ecsArn.cluster(ctx.scope, c.name)), ...(next ? { nextToken: next } : {}) };
    },

    DeleteCluster(input, ctx) {
      const r = RequestReader.of(input);
      const ref = r.requiredString('cluster');
      r.done();
      const { accountId, region } = ctx.scope;
      const doc = deps.store.transaction(() => {
        const c = requireCluster(deps, ctx.scope, ref);
        if (deps.store.ecs.listServices(accountId, region, c.name).some((s) => s.status !== 'INACTIVE')) throw ecsErrors.clusterContainsServices();
        if (deps.store.ecs.listTasks(accountId, region, c.name).some((t) => t.lastStatus !== 'STOPPED')) throw ecsErrors.clusterContainsTasks();
        const inactive: ClusterDoc = { ...c, status: 'INACTIVE' };
        deps.store.ecs.putCluster(accountId, region, inactive);
        return inactive;
      });
      return { cluster: clusterJson(deps, ctx.scope, doc, ['TAGS']) };
    },
  };
}
