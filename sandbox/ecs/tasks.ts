/** RunTask, StartTask, DescribeTasks, ListTasks, StopTask. */
import type { Scope } from '../contracts.ts';
import { ecsArn, ecsErrors, isArn, parseEcsArn, taskIdOf } from '../core/ecs/index.ts';
import type { ContainerOverride, LaunchType, NetworkConfiguration, TaskDefinition, TaskDoc } from '../core/ecs/index.ts';
import { RequestReader } from '../core/request-reader.ts';
import type { Operation } from '../http/aws-json.ts';
import { paginate, readEcsTags, requireCluster, sameScope, type EcsDeps } from './context.ts';
import { taskJson } from './json.ts';
import { createTaskDoc } from './task-factory.ts';
import { findTaskDefinition } from './task-definitions.ts';

/** ECS shows a stopped task for about an hour after it stopped, then forgets it. */
export const STOPPED_TASK_RETENTION_MS = 60 * 60 * 1000;

/** RunTask's largest count, as on ECS. */
export const MAX_RUN_TASK_COUNT = 10;

/** Reads an optional `networkConfiguration` member. */
export function readNetworkConfiguration(r: RequestReader): NetworkConfiguration | undefined {
  return r.object('networkConfiguration', (n) => {
    const vpc = n.object('awsvpcConfiguration', (a) => {
      const subnets = a.stringList('subnets');
      if (subnets === undefined) a.requiredString('subnets');
      const securityGroups = a.stringList('securityGroups');
      const assignPublicIp = a.enumOf('assignPublicIp', ['ENABLED', 'DISABLED']);
      return { subnets: subnets ?? [], ...(securityGroups ? { securityGroups } : {}), assignPublicIp: assignPublicIp ?? 'DISABLED' };
    });
    return vpc ? { awsvpcConfiguration: vpc } : {};
  });
}

/**
 * ECS's checks of launch type and network configuration against a task definition, shared by RunTask and
 * CreateService/UpdateService.
 */
export function checkPlacement(td: TaskDefinition, launchType: LaunchType, network: NetworkConfiguration | undefined): void {
  if (launchType === 'FARGATE' && !td.compatibilities.includes('FARGATE')) {
    throw ecsErrors.invalidParameter('Task definition does not support launch_type FARGATE.');
  }
  if (launchType === 'EXTERNAL') throw ecsErrors.invalidParameter('The sandbox has no EXTERNAL container instances; use EC2 or FARGATE.');
  if (td.networkMode === 'awsvpc') {
    if (!network?.awsvpcConfiguration) throw ecsErrors.invalidParameter("Network Configuration must be provided when networkMode 'awsvpc' is specified.");
    if (network.awsvpcConfiguration.subnets.length === 0) throw ecsErrors.invalidParameter('subnets can not be empty.');
  } else if (network?.awsvpcConfiguration) {
    throw ecsErrors.invalidParameter("Network Configuration is not valid for the given networkMode of this task definition."); // wording: best known
  }
}

/** The task operations. */
export function taskOperations(deps: EcsDeps): Record<string, Operation> {
  const findTask = (scope: Scope, clusterName: string, ref: string): TaskDoc | undefined => {
    if (isArn(ref)) {
      const p = parseEcsArn(ref);
      if (!p || !sameScope(p.scope, scope)) return undefined;
    }
    const id = taskIdOf(ref);
    const t = id === undefined ? undefined : deps.store.ecs.getTask(id);
    return t && sameScope(t, scope) && t.clusterName === clusterName && visible(t) ? t : undefined;
  };
  const visible = (t: TaskDoc) => t.lastStatus !== 'STOPPED' || (t.stoppedAt ?? 0) > deps.now() - STOPPED_TASK_RETENTION_MS;

  return {
    RunTask(input, ctx) {
      const r = RequestReader.of(input);
      const clusterRef = r.string('cluster');
      const tdRef = r.requiredString('taskDefinition');
      const count = r.integer('count') ?? 1;
      const launchTypeIn = r.enumOf('launchType', ['EC2', 'FARGATE', 'EXTERNAL'] as const);
      const network = readNetworkConfiguration(r);
      const group = r.string('group', { max: 255 });
      const startedBy = r.string('startedBy', { max: 128 });
      const overrides = r.object('overrides', (o) =>
        o.objectList('containerOverrides', (c) => ({
          name: c.requiredString('name'),
          command: c.stringList('command'),
          environment: c.objectList('environment', (e) => ({ name: e.string('name') ?? '', value: e.string('value') ?? '' })),
        })),
      );
      const tags = readEcsTags(r);
      r.done();
      const cluster = requireCluster(deps, ctx.scope, clusterRef);
      if (count < 1 || count > MAX_RUN_TASK_COUNT) {
        throw ecsErrors.invalidParameter(`Task count must be between 1 and ${MAX_RUN_TASK_COUNT}.`); // wording: best known
      }
      const td = findTaskDefinition(deps, ctx.scope, tdRef);
      if (!td) throw ecsErrors.taskDefinitionNotFound();
      if (td.status !== 'ACTIVE') throw ecsErrors.invalidParameter('TaskDefinition is inactive'); // wording: best known
      const launchType = launchTypeIn ?? 'EC2';
      checkPlacement(td, launchType, network);
      const containerOverrides = readOverrides(td, overrides ?? []);
      if (!deps.launcher) throw ecsErrors.noContainerEngine('RunTask');

      const tasks = deps.store.transaction(() =>
        Array.from({ length: count }, () => {
          const doc = createTaskDoc(
            ctx.scope,
            cluster.name,
            td,
            {
              launchType,
              group: group ?? `family:${td.family}`,
              ...(startedBy !== undefined ? { startedBy } : {}),
              overrides: containerOverrides,
              tags: tags ?? [],
              ...(network ? { networkConfiguration: network } : {}),
            },
            deps.now(),
          );
          deps.store.ecs.putTask(doc);
          return doc;
        }),
      );
      for (const t of tasks) deps.launcher.launch(t.taskId);
      return { tasks: tasks.map((t) => taskJson(ctx.scope, t, ['TAGS'])), failures: [] };
    },

    StartTask(input, ctx) {
      const r = RequestReader.of(input);
      const clusterRef = r.string('cluster');
      r.requiredString('taskDefinition');
      const instances = r.stringList('containerInstances', { maxItems: 10 });
      if (instances === undefined) r.requiredString('containerInstances');
      r.done();
      requireCluster(deps, ctx.scope, clusterRef);
      // The sandbox registers no container instances (tasks run on its own engine): every one is missing.
      return { tasks: [], failures: (instances ?? []).map((arn) => ({ arn, reason: 'MISSING' })) };
    },

    DescribeTasks(input, ctx) {
      const r = RequestReader.of(input);
      const clusterRef = r.string('cluster');
      const refs = r.stringList('tasks', { maxItems: 100 });
      if (refs === undefined) r.requiredString('tasks');
      const include = r.stringList('include', { values: ['TAGS'] }) ?? [];
      r.done();
      const cluster = requireCluster(deps, ctx.scope, clusterRef);
      if ((refs ?? []).length === 0) throw ecsErrors.invalidParameter('Tasks cannot be empty.');
      const tasks: Record<string, unknown>[] = [];
      const failures: { arn: string; reason: string }[] = [];
      for (const ref of refs ?? []) {
        const t = findTask(ctx.scope, cluster.name, ref);
        if (t) tasks.push(taskJson(ctx.scope, t, include));
        else failures.push({ arn: isArn(ref) ? ref : ecsArn.task(ctx.scope, cluster.name, ref), reason: 'MISSING' });
      }
      return { tasks, failures };
    },

    ListTasks(input, ctx) {
      const r = RequestReader.of(input);
      const clusterRef = r.string('cluster');
      const family = r.string('family');
      const serviceName = r.string('serviceName');
      const startedBy = r.string('startedBy');
      const desiredStatus = r.enumOf('desiredStatus', ['RUNNING', 'PENDING', 'STOPPED']) ?? 'RUNNING';
      const launchType = r.enumOf('launchType', ['EC2', 'FARGATE', 'EXTERNAL']);
      r.string('containerInstance');
      const maxResults = r.integer('maxResults', 1, 100);
      const nextToken = r.string('nextToken');
      r.done();
      const cluster = requireCluster(deps, ctx.scope, clusterRef);
      if (family !== undefined && serviceName !== undefined) {
        throw ecsErrors.invalidParameter('Cannot specify both family and serviceName.'); // wording: best known
      }
      const tasks = deps.store.ecs
        .listTasks(ctx.scope.accountId, ctx.scope.region, cluster.name)
        .filter(
          (t) =>
            t.desiredStatus === desiredStatus &&
            visible(t) &&
            (family === undefined || t.family === family) &&
            (serviceName === undefined || t.serviceName === serviceName) &&
            (startedBy === undefined || t.startedBy === startedBy) &&
            (launchType === undefined || t.launchType === launchType),
        );
      const { page, nextToken: next } = paginate(tasks, maxResults, nextToken, 100);
      return { taskArns: page.map((t) => ecsArn.task(ctx.scope, t.clusterName, t.taskId)), ...(next ? { nextToken: next } : {}) };
    },

    StopTask(input, ctx) {
      const r = RequestReader.of(input);
      const clusterRef = r.string('cluster');
      const ref = r.requiredString('task');
      const reason = r.string('reason', { max: 255 });
      r.done();
      const cluster = requireCluster(deps, ctx.scope, clusterRef);
      const stopped = deps.store.transaction(() => {
        const t = findTask(ctx.scope, cluster.name, ref);
        if (!t) throw ecsErrors.invalidParameter('The referenced task was not found.');
        if (t.desiredStatus === 'STOPPED') return t;
        const next: TaskDoc = {
          ...t,
          desiredStatus: 'STOPPED',
          stopCode: 'UserInitiated',
          stoppedReason: reason ?? 'Task stopped by user',
          stoppingAt: deps.now(),
          version: t.version + 1,
        };
        deps.store.ecs.putTask(next);
        return next;
      });
      deps.launcher?.wake();
      return { task: taskJson(ctx.scope, stopped, ['TAGS']) };
    },
  };
}

function readOverrides(td: TaskDefinition, given: readonly { name: string; command?: string[]; environment?: { name: string; value: string }[] }[]): ContainerOverride[] {
  return given.map((o) => {
    if (!td.containerDefinitions.some((c) => c.name === o.name)) {
      throw ecsErrors.invalidParameter(`Override for container named ${o.name} is not a container in the TaskDefinition.`);
    }
    return { name: o.name, ...(o.command ? { command: o.command } : {}), ...(o.environment ? { environment: o.environment } : {}) };
  });
}
