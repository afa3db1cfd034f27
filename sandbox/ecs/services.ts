/** CreateService, UpdateService, DescribeServices, ListServices, DeleteService. The scheduler does the rest. */
import type { Scope } from '../contracts.ts';
import { deploymentId, ecsArn, ecsErrors, isArn, parseEcsArn, serviceNameOf } from '../core/ecs/index.ts';
import type { DeploymentState, LaunchType, ServiceDoc, TaskDefinition } from '../core/ecs/index.ts';
import { RequestReader } from '../core/request-reader.ts';
import type { Operation } from '../http/aws-json.ts';
import { ECS_NAME, paginate, random19Digits, readEcsTags, requireCluster, sameScope, type EcsDeps } from './context.ts';
import { serviceJson } from './json.ts';
import { findTaskDefinition } from './task-definitions.ts';
import { checkPlacement, readNetworkConfiguration } from './tasks.ts';

/** ECS's quota of tasks per service. */
const ECS_MAX_TASKS_PER_SERVICE = 5000;

/** A new PRIMARY deployment of a task definition. */
export function newDeployment(td: string, desiredCount: number, now: number): DeploymentState {
  const id = deploymentId(random19Digits());
  return {
    id,
    status: 'PRIMARY',
    taskDefinition: td,
    desiredCount,
    pendingCount: 0,
    runningCount: 0,
    failedTasks: 0,
    rolloutState: 'IN_PROGRESS',
    rolloutStateReason: 'ECS deployment ' + id + ' in progress.',
    createdAt: now,
    updatedAt: now,
  };
}

/** The service operations. */
export function serviceOperations(deps: EcsDeps): Record<string, Operation> {
  const checkDesiredCount = (n: number) => {
    if (n > ECS_MAX_TASKS_PER_SERVICE) {
      throw ecsErrors.invalidParameter(`The desired count of a service cannot exceed ${ECS_MAX_TASKS_PER_SERVICE}.`); // wording: best known
    }
    if (n > deps.maxServiceTasks) {
      throw ecsErrors.invalidParameter(`The sandbox runs at most ${deps.maxServiceTasks} tasks per service; desiredCount ${n} is too large.`);
    }
  };
  const resolveTd = (scope: Scope, ref: string): TaskDefinition => {
    const td = findTaskDefinition(deps, scope, ref);
    if (!td) throw ecsErrors.taskDefinitionNotFound();
    if (td.status !== 'ACTIVE') throw ecsErrors.invalidParameter('TaskDefinition is inactive'); // wording: best known
    return td;
  };
  const findService = (scope: Scope, cluster: string, ref: string): ServiceDoc | undefined => {
    if (isArn(ref)) {
      const p = parseEcsArn(ref);
      if (!p || !sameScope(p.scope, scope)) return undefined;
    }
    const name = serviceNameOf(ref);
    return name === undefined ? undefined : deps.store.ecs.getService(scope.accountId, scope.region, cluster, name);
  };

  return {
    CreateService(input, ctx) {
      const r = RequestReader.of(input);
      const clusterRef = r.string('cluster');
      const name = r.requiredString('serviceName');
      const tdRef = r.string('taskDefinition');
      const desiredCount = r.integer('desiredCount', 0) ?? 0;
      const launchTypeIn = r.enumOf('launchType', ['EC2', 'FARGATE', 'EXTERNAL'] as const);
      const network = readNetworkConfiguration(r);
      const tags = readEcsTags(r);
      const strategy = r.enumOf('schedulingStrategy', ['REPLICA', 'DAEMON']);
      const deploymentConfiguration = r.object('deploymentConfiguration', (d) => {
        d.integer('maximumPercent');
        d.integer('minimumHealthyPercent');
        return undefined;
      });
      void deploymentConfiguration;
      r.done();
      if (!ECS_NAME.test(name)) {
        // wording: best known
        throw ecsErrors.invalidParameter('Service names can contain up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens.');
      }
      const cluster = requireCluster(deps, ctx.scope, clusterRef);
      if (strategy === 'DAEMON') throw ecsErrors.invalidParameter('The sandbox supports only the REPLICA scheduling strategy.');
      if (tdRef === undefined) throw ecsErrors.invalidParameter('TaskDefinition can not be blank.'); // wording: best known
      checkDesiredCount(desiredCount);
      const td = resolveTd(ctx.scope, tdRef);
      const launchType: LaunchType = launchTypeIn ?? 'EC2';
      checkPlacement(td, launchType, network);
      if (!deps.launcher) throw ecsErrors.noContainerEngine('CreateService');
      const { accountId, region } = ctx.scope;
      const doc = deps.store.transaction(() => {
        const existing = deps.store.ecs.getService(accountId, region, cluster.name, name);
        if (existing && existing.status !== 'INACTIVE') throw ecsErrors.invalidParameter('Creation of service was not idempotent.');
        const now = deps.now();
        const tdArn = ecsArn.taskDefinition(ctx.scope, td.family, td.revision);
        const created: ServiceDoc = {
          name,
          clusterName: cluster.name,
          status: 'ACTIVE',
          desiredCount,
          taskDefinition: tdArn,
          launchType,
          ...(network ? { networkConfiguration: network } : {}),
          deployments: [newDeployment(tdArn, desiredCount, now)],
          events: [],
          createdAt: now,
          tags: tags ?? [],
          steady: false,
          failures: 0,
          startBlockedUntil: 0,
          deploymentConfiguration: {
            deploymentCircuitBreaker: { enable: false, rollback: false },
            maximumPercent: 200,
            minimumHealthyPercent: 100,
          },
          extra: {},
        };
        deps.store.ecs.putService(accountId, region, created);
        return created;
      });
      deps.launcher.wake();
      return { service: serviceJson(deps, ctx.scope, doc, ['TAGS']) };
    },

    UpdateService(input, ctx) {
      const r = RequestReader.of(input);
      const clusterRef = r.string('cluster');
      const ref = r.requiredString('service');
      const desiredCount = r.integer('desiredCount', 0);
      const tdRef = r.string('taskDefinition');
      const force = r.boolean('forceNewDeployment') ?? false;
      const network = readNetworkConfiguration(r);
      r.done();
      const cluster = requireCluster(deps, ctx.scope, clusterRef);
      if (desiredCount !== undefined) checkDesiredCount(desiredCount);
      const td = tdRef === undefined ? undefined : resolveTd(ctx.scope, tdRef);
      const doc = deps.store.transaction(() => {
        const s = findService(ctx.scope, cluster.name, ref);
        if (!s) throw ecsErrors.serviceNotFound();
        if (s.status !== 'ACTIVE') throw ecsErrors.serviceNotActive();
        const now = deps.now();
        const nextNetwork = network ?? s.networkConfiguration;
        const current = findTaskDefinition(deps, ctx.scope, s.taskDefinition);
        const effectiveTd = td ?? current;
        if (effectiveTd && (td || network)) checkPlacement(effectiveTd, s.launchType, nextNetwork);
        const tdArn = td ? ecsArn.taskDefinition(ctx.scope, td.family, td.revision) : s.taskDefinition;
        const count = desiredCount ?? s.desiredCount;
        let deployments = s.deployments;
        if (tdArn !== s.taskDefinition || force || network) {
          deployments = [newDeployment(tdArn, count, now), ...s.deployments.map((d) => ({ ...d, status: 'ACTIVE' as const, updatedAt: now }))];
        } else {
          deployments = deployments.map((d) => (d.status === 'PRIMARY' ? { ...d, desiredCount: count, updatedAt: now } : d));
        }
        const updated: ServiceDoc = {
          ...s,
          desiredCount: count,
          taskDefinition: tdArn,
          ...(nextNetwork ? { networkConfiguration: nextNetwork } : {}),
          deployments,
          steady: false,
          failures: 0,
          startBlockedUntil: 0,
        };
        deps.store.ecs.putService(ctx.scope.accountId, ctx.scope.region, updated);
        return updated;
      });
      deps.launcher?.wake();
      return { service: serviceJson(deps, ctx.scope, doc) };
    },

    DescribeServices(input, ctx) {
      const r = RequestReader.of(input);
      const clusterRef = r.string('cluster');
      const refs = r.stringList('services', { maxItems: 10 });
      if (refs === undefined) r.requiredString('services');
      const include = r.stringList('include', { values: ['TAGS'] }) ?? [];
      r.done();
      const cluster = requireCluster(deps, ctx.scope, clusterRef);
      const services: Record<string, unknown>[] = [];
      const failures: { arn: string; reason: string }[] = [];
      for (const ref of refs ?? []) {
        const s = findService(ctx.scope, cluster.name, ref);
        if (s) services.push(serviceJson(deps, ctx.scope, s, include));
        else failures.push({ arn: isArn(ref) ? ref : ecsArn.service(ctx.scope, cluster.name, ref), reason: 'MISSING' });
      }
      return { services, failures };
    },

    ListServices(input, ctx) {
      const r = RequestReader.of(input);
      const clusterRef = r.string('cluster');
      const launchType = r.enumOf('launchType', ['EC2', 'FARGATE', 'EXTERNAL']);
      r.enumOf('schedulingStrategy', ['REPLICA', 'DAEMON']);
      const maxResults = r.integer('maxResults', 1, 100);
      const nextToken = r.string('nextToken');
      r.done();
      const cluster = requireCluster(deps, ctx.scope, clusterRef);
      const all = deps.store.ecs
        .listServices(ctx.scope.accountId, ctx.scope.region, cluster.name)
        .filter((s) => s.status !== 'INACTIVE' && (launchType === undefined || s.launchType === launchType));
      const { page, nextToken: next } = paginate(all, maxResults, nextToken, 10);
      return { serviceArns: page.map((s) => ecsArn.service(ctx.scope, s.clusterName, s.name)), ...(next ? { nextToken: next } : {}) };
    },

    DeleteService(input, ctx) {
      const r = RequestReader.of(input);
      const clusterRef = r.string('cluster');
      const ref = r.requiredString('service');
      const force = r.boolean('force') ?? false;
      r.done();
      const cluster = requireCluster(deps, ctx.scope, clusterRef);
      const doc = deps.store.transaction(() => {
        const s = findService(ctx.scope, cluster.name, ref);
        if (!s || s.status === 'INACTIVE') throw ecsErrors.serviceNotFound();
        if (s.status === 'DRAINING') return s;
        if (s.desiredCount > 0 && !force) throw ecsErrors.invalidParameter('The service cannot be stopped while it is scaled above 0.');
        const draining: ServiceDoc = { ...s, status: 'DRAINING', desiredCount: 0, steady: false };
        deps.store.ecs.putService(ctx.scope.accountId, ctx.scope.region, draining);
        return draining;
      });
      deps.launcher?.wake();
      return { service: serviceJson(deps, ctx.scope, doc) };
    },
  };
}
