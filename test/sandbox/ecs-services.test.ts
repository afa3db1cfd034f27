/**
 * ECS services with real containers: desiredCount tasks are kept running (a container killed from outside
 * is replaced, with ECS's event text), a new task definition revision rolls the deployment
 * (PRIMARY/ACTIVE, rolloutState), and DeleteService drains to INACTIVE leaving no container behind.
 */
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteClusterCommand,
  DeleteServiceCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type Service,
} from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineMissing, errorOf, PODMAN, startEcsFixture, tool, type EcsFixture } from './ecs-fixture.ts';

const missing = engineMissing();
if (missing) console.warn(`ecs-services: skipped, ${missing}`);

describe.skipIf(missing !== undefined)('ECS services keep their tasks running', () => {
  let f: EcsFixture;
  let ecs: ECSClient;
  let image: string;
  beforeAll(async () => {
    f = await startEcsFixture();
    ecs = f.ecs('carol');
    image = await f.pushHello('carol', 'web', 'v1');
    await ecs.send(new CreateClusterCommand({ clusterName: 'svc' }));
    for (const cmd of [['httpd', '-f', '-p', '80', '-h', '/www'], ['httpd', '-f', '-p', '8080', '-h', '/www']]) {
      await ecs.send(
        new RegisterTaskDefinitionCommand({
          family: 'web',
          networkMode: 'awsvpc',
          requiresCompatibilities: ['FARGATE'],
          cpu: '256',
          memory: '512',
          containerDefinitions: [
            { name: 'web', image, command: cmd, portMappings: [{ containerPort: Number(cmd[3]) }], linuxParameters: { initProcessEnabled: true } },
          ],
        }),
      );
    }
  });
  afterAll(async () => {
    await f?.dispose();
  });

  const describeService = async (): Promise<Service> => (await ecs.send(new DescribeServicesCommand({ cluster: 'svc', services: ['web'] }))).services![0]!;
  async function waitService(until: (s: Service) => boolean, timeoutMs = 60_000): Promise<Service> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = await describeService();
      if (until(s)) return s;
      if (Date.now() > deadline) throw new Error(`service did not settle: ${JSON.stringify({ ...s, events: s.events?.slice(0, 5) })}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  const stable = (s: Service) => s.deployments?.length === 1 && s.runningCount === s.desiredCount && s.deployments[0]!.rolloutState === 'COMPLETED';

  it('runs desiredCount 2, replaces a container killed from outside, rolls a new revision and drains on delete', async () => {
    const created = await ecs.send(
      new CreateServiceCommand({
        cluster: 'svc',
        serviceName: 'web',
        taskDefinition: 'web:1',
        desiredCount: 2,
        launchType: 'FARGATE',
        networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'], assignPublicIp: 'ENABLED' } },
      }),
    );
    expect(created.service?.status).toBe('ACTIVE');
    expect(created.service?.deployments?.[0]).toMatchObject({ status: 'PRIMARY', rolloutState: 'IN_PROGRESS', desiredCount: 2 });
    expect(created.service?.deployments?.[0]?.id).toMatch(/^ecs-svc\/\d{19}$/);
    expect((await errorOf(ecs.send(new CreateServiceCommand({ cluster: 'svc', serviceName: 'web', taskDefinition: 'web:1', desiredCount: 1, launchType: 'FARGATE', networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'] } } })))).message).toBe(
      'Creation of service was not idempotent.',
    );

    let s = await waitService(stable);
    expect(s.events?.[0]?.message).toBe('(service web) has reached a steady state.');
    expect(s.events?.some((e) => /^\(service web\) has started 2 tasks: \(task [0-9a-f]{32}\) \(task [0-9a-f]{32}\)\.$/.test(e.message!))).toBe(true);

    // Kill one task's container from outside, as a crash would.
    const arns = (await ecs.send(new ListTasksCommand({ cluster: 'svc', serviceName: 'web' }))).taskArns!;
    expect(arns).toHaveLength(2);
    const before = (await ecs.send(new DescribeTasksCommand({ cluster: 'svc', tasks: arns }))).tasks!;
    const victim = before[0]!;
    await tool(PODMAN, ['kill', '--signal', 'KILL', victim.containers![0]!.runtimeId!]);
    s = await waitService((x) => stable(x) && x.events!.some((e) => e.message!.includes('has started 1 tasks')));
    const dead = (await ecs.send(new DescribeTasksCommand({ cluster: 'svc', tasks: [victim.taskArn!] }))).tasks![0]!;
    expect(dead).toMatchObject({ lastStatus: 'STOPPED', stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited' });
    expect(dead.containers![0]!.exitCode).toBe(137);
    const running = (await ecs.send(new ListTasksCommand({ cluster: 'svc', serviceName: 'web' }))).taskArns!;
    expect(running).toHaveLength(2);
    expect(running).not.toContain(victim.taskArn);
    expect(s.runningCount).toBe(2);

    // Every running task answers on its published port.
    for (const t of (await ecs.send(new DescribeTasksCommand({ cluster: 'svc', tasks: running }))).tasks!) {
      const port = t.containers![0]!.networkBindings![0]!.hostPort!;
      expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('Hello From ECS\n');
    }

    // A new revision: a second deployment becomes PRIMARY, the old one ACTIVE until replaced.
    const updated = await ecs.send(new UpdateServiceCommand({ cluster: 'svc', service: 'web', taskDefinition: 'web:2' }));
    expect(updated.service?.deployments?.map((d) => d.status)).toEqual(['PRIMARY', 'ACTIVE']);
    expect(updated.service?.deployments?.[0]?.rolloutState).toBe('IN_PROGRESS');
    s = await waitService((x) => stable(x) && x.deployments![0]!.taskDefinition!.endsWith('web:2'));
    expect(s.events?.some((e) => e.message === `(service web) (deployment ${s.deployments![0]!.id}) deployment completed.`)).toBe(true);
    const rolled = (await ecs.send(new DescribeTasksCommand({ cluster: 'svc', tasks: (await ecs.send(new ListTasksCommand({ cluster: 'svc', serviceName: 'web' }))).taskArns! }))).tasks!;
    expect(rolled.map((t) => t.taskDefinitionArn!.split('/').pop())).toEqual(['web:2', 'web:2']);
    expect(rolled[0]!.containers![0]!.networkBindings![0]!.containerPort).toBe(8080);

    const busy = await errorOf(ecs.send(new DeleteClusterCommand({ cluster: 'svc' })));
    expect([busy.name, busy.message]).toEqual(['ClusterContainsServicesException', 'The Cluster cannot be deleted while Services are active.']);

    // Delete: refused while scaled above 0, then drained with force.
    expect((await errorOf(ecs.send(new DeleteServiceCommand({ cluster: 'svc', service: 'web' })))).message).toBe('The service cannot be stopped while it is scaled above 0.');
    const deleted = await ecs.send(new DeleteServiceCommand({ cluster: 'svc', service: 'web', force: true }));
    expect(deleted.service?.status).toBe('DRAINING');
    s = await waitService((x) => x.status === 'INACTIVE');
    expect(s.runningCount).toBe(0);
    expect((await ecs.send(new ListTasksCommand({ cluster: 'svc' }))).taskArns).toEqual([]);
    expect(await f.containers()).toEqual([]);
    expect((await ecs.send(new DeleteClusterCommand({ cluster: 'svc' }))).cluster?.status).toBe('INACTIVE');
  });
});
