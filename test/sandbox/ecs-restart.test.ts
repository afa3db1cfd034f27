/**
 * Restart and cleanup: stopping the sandbox stops its tasks' containers (tasks become STOPPED, services
 * come back on the next start); starting it reconciles with the engine after a crash — a task whose
 * containers are gone becomes STOPPED with a reason, a task whose container still runs is adopted, and a
 * container carrying the sandbox's labels that no task owns is removed.
 */
import { CreateClusterCommand, CreateServiceCommand, DescribeServicesCommand, DescribeTasksCommand, ECSClient, ListTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetadataStore } from '../../sandbox/storage/metadata-store.ts';
import { engineMissing, PODMAN, startEcsFixture, tool, waitForTask, type EcsFixture } from './ecs-fixture.ts';

const missing = engineMissing();
if (missing) console.warn(`ecs-restart: skipped, ${missing}`);

describe.skipIf(missing !== undefined)('ECS across sandbox restarts', () => {
  let f: EcsFixture;
  let image: string;
  const ecs = (): ECSClient => f.ecs('erin');
  beforeAll(async () => {
    f = await startEcsFixture();
    image = await f.pushHello('erin', 'web', 'v1');
    await ecs().send(new CreateClusterCommand({ clusterName: 'r' }));
    await ecs().send(
      new RegisterTaskDefinitionCommand({
        family: 'web',
        containerDefinitions: [{ name: 'web', image, memory: 32, portMappings: [{ containerPort: 80 }], linuxParameters: { initProcessEnabled: true }, stopTimeout: 2 }],
      }),
    );
  });
  afterAll(async () => {
    await f?.dispose();
  });
  /** Waits until service `s` runs its one task. */
  const waitRunning = async () => {
    for (let i = 0; i < 200; i++) {
      const s = (await ecs().send(new DescribeServicesCommand({ cluster: 'r', services: ['s'] }))).services![0]!;
      if (s.runningCount === 1) return;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error('service never ran its task');
  };

  it('stops task containers when the sandbox stops, and a service starts its tasks again on the next start', async () => {
    const run = await ecs().send(new RunTaskCommand({ cluster: 'r', taskDefinition: 'web' }));
    const arn = run.tasks![0]!.taskArn!;
    await waitForTask(ecs(), 'r', arn, (t) => t.lastStatus === 'RUNNING');
    await ecs().send(new CreateServiceCommand({ cluster: 'r', serviceName: 's', taskDefinition: 'web', desiredCount: 1 }));
    await waitRunning();
    expect(await f.containers()).toHaveLength(2);

    await f.restart();
    const t = (await ecs().send(new DescribeTasksCommand({ cluster: 'r', tasks: [arn] }))).tasks![0]!;
    expect(t).toMatchObject({ lastStatus: 'STOPPED', stopCode: 'TerminationNotice', stoppedReason: 'Task stopped because the sandbox stopped.' });
    expect(t.containers![0]!.exitCode).toBe(143);
    await waitRunning();
    expect((await ecs().send(new ListTasksCommand({ cluster: 'r', serviceName: 's' }))).taskArns).toHaveLength(1);
    expect(await f.containers()).toHaveLength(1);
  });

  it('after a crash: adopts a task whose container still runs, stops one whose containers are gone, removes unowned containers', async () => {
    const alive = (await ecs().send(new RunTaskCommand({ cluster: 'r', taskDefinition: 'web' }))).tasks![0]!.taskArn!;
    const lost = (await ecs().send(new RunTaskCommand({ cluster: 'r', taskDefinition: 'web' }))).tasks![0]!.taskArn!;
    await waitForTask(ecs(), 'r', alive, (t) => t.lastStatus === 'RUNNING');
    await waitForTask(ecs(), 'r', lost, (t) => t.lastStatus === 'RUNNING');
    const instance = f.sandbox.ecs!.instanceId;
    await f.sandbox.dispose(); // a clean stop first; the crash state is written below

    // The state a crash leaves: both tasks RUNNING in the database; one container still running, the
    // other gone; plus a container with the sandbox's labels that no task owns.
    const aliveContainer = (await tool(PODMAN, ['run', '-d', '--label', `labrunner.sandbox.instance=${instance}`, image, 'httpd', '-f', '-p', '80', '-h', '/www'])).trim();
    const orphan = (await tool(PODMAN, ['create', '--label', `labrunner.sandbox.instance=${instance}`, '--label', 'labrunner.sandbox.task-id=none', image])).trim();
    const store = MetadataStore.open(f.dataDir);
    try {
      for (const [arn, runtimeId] of [[alive, aliveContainer], [lost, 'f'.repeat(64)]] as const) {
        const doc = store.ecs.getTask(arn.split('/').pop()!)!;
        store.ecs.putTask({
          ...doc,
          lastStatus: 'RUNNING',
          desiredStatus: 'RUNNING',
          stopCode: undefined,
          stoppedReason: undefined,
          stoppedAt: undefined,
          stoppingAt: undefined,
          executionStoppedAt: undefined,
          containers: doc.containers.map((c) => ({ ...c, runtimeId, lastStatus: 'RUNNING', exitCode: undefined })),
        });
      }
    } finally {
      store.dispose();
    }

    await f.restart();
    const [a, l] = (await ecs().send(new DescribeTasksCommand({ cluster: 'r', tasks: [alive, lost] }))).tasks!;
    expect(l).toMatchObject({
      lastStatus: 'STOPPED',
      stopCode: 'TerminationNotice',
      stoppedReason: 'Task stopped because its containers no longer exist (the sandbox or its container engine restarted).',
    });
    expect(a?.lastStatus).toBe('RUNNING');
    const left = (await tool(PODMAN, ['ps', '-a', '-q', '--no-trunc', '--filter', `label=labrunner.sandbox.instance=${instance}`])).split('\n').filter(Boolean);
    expect(left).toContain(aliveContainer);
    expect(left).not.toContain(orphan);

    await ecs().send(new StopTaskCommand({ cluster: 'r', task: alive }));
    const done = await waitForTask(ecs(), 'r', alive, (t) => t.lastStatus === 'STOPPED');
    expect(done.containers![0]!.exitCode).toBe(137); // no init process in the hand-made container: SIGKILL after the timeout
    await waitRunning();
    expect(await f.containers()).toHaveLength(1); // only the service's task
  });
});
