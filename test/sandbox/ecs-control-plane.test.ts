/**
 * The ECS control plane through SDK v3 against a sandbox WITHOUT a container engine: clusters (and the
 * `default` cluster), task definitions and their validation, tags, AWS-shaped errors for bad input, and
 * RunTask/CreateService refusing clearly because no engine is there. Runs everywhere.
 */
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteClusterCommand,
  DeleteServiceCommand,
  DeregisterTaskDefinitionCommand,
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListClustersCommand,
  ListTagsForResourceCommand,
  ListTaskDefinitionFamiliesCommand,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateServiceCommand,
  type ContainerDefinition,
} from '@aws-sdk/client-ecs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type SandboxHandle } from '../../sandbox/index.ts';
import { errorOf } from './ecs-fixture.ts';

describe('ECS control plane (no container engine)', () => {
  let sandbox: SandboxHandle;
  let dataDir: string;
  let ecs: ECSClient;
  let acct: string;
  const arn = (rest: string) => `arn:aws:ecs:us-east-1:${acct}:${rest}`;
  const image = 'localhost/whatever:1';

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'sbx-ecs-cp-'));
    sandbox = await startSandbox({ port: 0, dataDir, registryHostNaming: 'fallback' });
    const creds = sandbox.accounts.provision('dana');
    acct = creds.accountId;
    ecs = new ECSClient({ endpoint: sandbox.endpoint, region: 'us-east-1', credentials: creds, maxAttempts: 1 });
  });
  afterAll(async () => {
    ecs?.destroy();
    await sandbox?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates the default cluster, is idempotent, lists, describes, tags and deletes clusters', async () => {
    expect((await errorOf(ecs.send(new ListTasksCommand({})))).name).toBe('ClusterNotFoundException');
    const missing = await ecs.send(new DescribeClustersCommand({}));
    expect(missing.failures).toEqual([{ arn: arn('cluster/default'), reason: 'MISSING' }]);

    const def = await ecs.send(new CreateClusterCommand({}));
    expect(def.cluster).toMatchObject({ clusterName: 'default', clusterArn: arn('cluster/default'), status: 'ACTIVE', runningTasksCount: 0, activeServicesCount: 0 });
    const lab = await ecs.send(new CreateClusterCommand({ clusterName: 'lab', tags: [{ key: 'course', value: 'ecs101' }] }));
    expect((await ecs.send(new CreateClusterCommand({ clusterName: 'lab' }))).cluster?.clusterArn).toBe(lab.cluster?.clusterArn);
    expect((await ecs.send(new ListClustersCommand({}))).clusterArns).toEqual([arn('cluster/default'), arn('cluster/lab')]);

    const described = await ecs.send(new DescribeClustersCommand({ clusters: ['lab', arn('cluster/nope')], include: ['TAGS'] }));
    expect(described.clusters?.[0]?.tags).toEqual([{ key: 'course', value: 'ecs101' }]);
    expect(described.failures).toEqual([{ arn: arn('cluster/nope'), reason: 'MISSING' }]);
    expect((await ecs.send(new DescribeClustersCommand({ clusters: ['lab'] }))).clusters?.[0]?.tags).toBeUndefined();

    await ecs.send(new TagResourceCommand({ resourceArn: arn('cluster/lab'), tags: [{ key: 'owner', value: 'dana' }] }));
    await ecs.send(new UntagResourceCommand({ resourceArn: arn('cluster/lab'), tagKeys: ['course'] }));
    expect((await ecs.send(new ListTagsForResourceCommand({ resourceArn: arn('cluster/lab') }))).tags).toEqual([{ key: 'owner', value: 'dana' }]);

    await ecs.send(new CreateClusterCommand({ clusterName: 'gone' }));
    expect((await ecs.send(new DeleteClusterCommand({ cluster: 'gone' }))).cluster?.status).toBe('INACTIVE');
    expect((await ecs.send(new DescribeClustersCommand({ clusters: ['gone'] }))).clusters?.[0]?.status).toBe('INACTIVE');
    expect((await ecs.send(new ListClustersCommand({}))).clusterArns).not.toContain(arn('cluster/gone'));
    const err = await errorOf(ecs.send(new ListTasksCommand({ cluster: 'gone' })));
    expect([err.name, err.message]).toEqual(['ClusterNotFoundException', 'Cluster not found.']);
  });

  it('registers revisions, describes by family/revision/ARN, lists and deregisters', async () => {
    const c: ContainerDefinition = { name: 'web', image, memory: 64, portMappings: [{ containerPort: 80 }] };
    const r1 = await ecs.send(new RegisterTaskDefinitionCommand({ family: 'site', containerDefinitions: [c], tags: [{ key: 'v', value: '1' }] }));
    const r2 = await ecs.send(new RegisterTaskDefinitionCommand({ family: 'site', containerDefinitions: [{ ...c, memory: 128 }] }));
    expect(r1.taskDefinition).toMatchObject({ taskDefinitionArn: arn('task-definition/site:1'), revision: 1, status: 'ACTIVE', networkMode: 'bridge', compatibilities: ['EC2'] });
    expect(r1.taskDefinition?.containerDefinitions?.[0]).toMatchObject({ essential: true, cpu: 0, portMappings: [{ containerPort: 80, protocol: 'tcp' }], environment: [] });
    expect(r2.taskDefinition?.revision).toBe(2);

    expect((await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'site' }))).taskDefinition?.revision).toBe(2);
    const byArn = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn('task-definition/site:1'), include: ['TAGS'] }));
    expect(byArn.tags).toEqual([{ key: 'v', value: '1' }]);
    const unknown = await errorOf(ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'nope:1' })));
    expect([unknown.name, unknown.message]).toEqual(['ClientException', 'Unable to describe task definition.']);

    const dereg = await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'site:2' }));
    expect(dereg.taskDefinition?.status).toBe('INACTIVE');
    expect(dereg.taskDefinition?.deregisteredAt).toBeInstanceOf(Date);
    expect((await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'site' }))).taskDefinition?.revision).toBe(1);
    expect((await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'site' }))).taskDefinitionArns).toEqual([arn('task-definition/site:1')]);
    expect((await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'site', status: 'INACTIVE' }))).taskDefinitionArns).toEqual([arn('task-definition/site:2')]);
    expect((await ecs.send(new ListTaskDefinitionFamiliesCommand({ familyPrefix: 'si' }))).families).toEqual(['site']);
  });

  it("rejects task definitions ECS rejects, with ECS's exception names and messages", async () => {
    const reject = async (input: Record<string, unknown>) => {
      const e = await errorOf(ecs.send(new RegisterTaskDefinitionCommand(input as never)));
      return `${e.name}: ${e.message}`;
    };
    expect(await reject({ family: 'x', containerDefinitions: [] })).toBe('ClientException: Container list cannot be empty.');
    expect(await reject({ family: 'x', containerDefinitions: [{ image, memory: 8 }] })).toBe('ClientException: Container.name should not be null or empty.');
    expect(await reject({ family: 'x', containerDefinitions: [{ name: '', image, memory: 8 }] })).toBe('ClientException: Container.name should not be null or empty.');
    expect(await reject({ family: 'x', containerDefinitions: [{ name: 'a', memory: 8 }] })).toBe('ClientException: Container.image should not be null or empty.');
    expect(await reject({ family: 'x', containerDefinitions: [{ name: 'web', image }] })).toBe(
      "ClientException: Invalid setting for container 'web'. At least one of 'memory' or 'memoryReservation' must be specified.",
    );
    expect(await reject({ family: 'x', requiresCompatibilities: ['FARGATE'], networkMode: 'awsvpc', memory: '512', containerDefinitions: [{ name: 'web', image }] })).toBe(
      "ClientException: Fargate requires that 'cpu' be defined at the task level.",
    );
    expect(await reject({ family: 'x', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512', containerDefinitions: [{ name: 'web', image }] })).toBe(
      'ClientException: Fargate only supports network mode \u2018awsvpc\u2019.',
    );
    expect(await reject({ family: 'x', networkMode: 'awsvpc', memory: '512', containerDefinitions: [{ name: 'web', image, portMappings: [{ containerPort: 80, hostPort: 8080 }] }] })).toBe(
      'ClientException: When networkMode=awsvpc, the host ports and container ports in port mappings must match.',
    );
    expect(await reject({ family: '', containerDefinitions: [{ name: 'web', image, memory: 8 }] })).toMatch(/^ClientException: Family must be between 1 and 255 characters/);
    // Malformed container definitions: wrong member types are a ValidationException from the front end.
    expect(await reject({ family: 'x', containerDefinitions: [{ name: 'web', image, memory: 'lots', portMappings: 'eighty' }] })).toBe(
      "ValidationException: 2 validation errors detected: Value 'lots' at 'containerDefinitions.1.member.memory' failed to satisfy constraint: Member must be an integer; " +
        "Value 'eighty' at 'containerDefinitions.1.member.portMappings' failed to satisfy constraint: Member must be a list",
    );
    expect((await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'x' }))).taskDefinitionArns).toEqual([]);
  });

  it('refuses RunTask and CreateService without a container engine, after checking the request like ECS', async () => {
    await ecs.send(new RegisterTaskDefinitionCommand({ family: 'app', containerDefinitions: [{ name: 'web', image, memory: 64 }] }));
    const noEngine = await errorOf(ecs.send(new RunTaskCommand({ cluster: 'lab', taskDefinition: 'app' })));
    expect(noEngine.name).toBe('ClientException');
    expect(noEngine.message).toMatch(/^RunTask cannot place tasks: the sandbox has no container engine \(no Docker Engine API socket/);
    const svc = await errorOf(ecs.send(new CreateServiceCommand({ cluster: 'lab', serviceName: 'app', taskDefinition: 'app', desiredCount: 1 })));
    expect([svc.name, svc.message.split(':')[0]]).toEqual(['ClientException', 'CreateService cannot place tasks']);

    const e = async (p: Promise<unknown>) => {
      const err = await errorOf(p);
      return `${err.name}: ${err.message}`;
    };
    expect(await e(ecs.send(new RunTaskCommand({ cluster: 'nope', taskDefinition: 'app' })))).toBe('ClusterNotFoundException: Cluster not found.');
    expect(await e(ecs.send(new RunTaskCommand({ cluster: 'lab', taskDefinition: 'nope' })))).toBe('ClientException: TaskDefinition not found.');
    expect(await e(ecs.send(new RunTaskCommand({ cluster: 'lab', taskDefinition: 'app', count: 11 })))).toBe('InvalidParameterException: Task count must be between 1 and 10.');
    expect(await e(ecs.send(new RunTaskCommand({ cluster: 'lab', taskDefinition: 'app', count: 1_000_000 })))).toBe('InvalidParameterException: Task count must be between 1 and 10.');
    expect(await e(ecs.send(new RunTaskCommand({ cluster: 'lab', taskDefinition: 'app', launchType: 'FARGATE' })))).toBe(
      'InvalidParameterException: Task definition does not support launch_type FARGATE.',
    );
    expect(await e(ecs.send(new CreateServiceCommand({ cluster: 'lab', serviceName: '', taskDefinition: 'app', desiredCount: 1 })))).toMatch(/^InvalidParameterException: Service names can contain/);
    expect(await e(ecs.send(new CreateServiceCommand({ cluster: 'lab', serviceName: 'big', taskDefinition: 'app', desiredCount: 1_000_000 })))).toBe(
      'InvalidParameterException: The desired count of a service cannot exceed 5000.',
    );
    expect(await e(ecs.send(new CreateServiceCommand({ cluster: 'lab', serviceName: 'big', taskDefinition: 'app', desiredCount: 100 })))).toBe(
      'InvalidParameterException: The sandbox runs at most 20 tasks per service; desiredCount 100 is too large.',
    );
    expect(await e(ecs.send(new CreateClusterCommand({ clusterName: 'has space' })))).toMatch(/^InvalidParameterException: Clusters can contain up to 255 letters/);
    expect(await e(ecs.send(new CreateClusterCommand({ clusterName: '' })))).toMatch(/^InvalidParameterException: Clusters can contain up to 255 letters/);
    expect(await e(ecs.send(new UpdateServiceCommand({ cluster: 'lab', service: 'nope', desiredCount: 1 })))).toBe('ServiceNotFoundException: Service not found.');
    expect(await e(ecs.send(new DeleteServiceCommand({ cluster: 'lab', service: 'nope' })))).toBe('ServiceNotFoundException: Service not found.');
    expect(await e(ecs.send(new StopTaskCommand({ cluster: 'lab', task: 'f'.repeat(32) })))).toBe('InvalidParameterException: The referenced task was not found.');
    expect((await ecs.send(new DescribeServicesCommand({ cluster: 'lab', services: ['nope'] }))).failures).toEqual([{ arn: arn('service/lab/nope'), reason: 'MISSING' }]);
    expect((await ecs.send(new DescribeTasksCommand({ cluster: 'lab', tasks: ['0'.repeat(32)] }))).failures).toEqual([{ arn: arn(`task/lab/${'0'.repeat(32)}`), reason: 'MISSING' }]);
    // Nothing was created by the refused calls.
    expect((await ecs.send(new ListTasksCommand({ cluster: 'lab' }))).taskArns).toEqual([]);
    expect((await ecs.send(new DescribeClustersCommand({ clusters: ['lab'] }))).clusters?.[0]?.activeServicesCount).toBe(0);
  });
});
