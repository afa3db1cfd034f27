/**
 * ECS tasks as real containers, through SDK v3: the "Hello From ECS" image pushed to the sandbox runs as a
 * Fargate-style (awsvpc) task and as a bridge task, answers on the published 127.0.0.1 port, stops with the
 * real exit code, and fails the way ECS fails for a missing image, another account's image, and an essential
 * container that exits. Skipped (with the reason printed) only when no container engine or tools exist.
 */
import {
  CreateClusterCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  ListTasksCommand,
  DescribeTasksCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchTaskLogs, renderSandboxEnv } from '../../cli/commands/sandbox.ts';
import { BIN } from '../../cli/paths.ts';
import { engineMissing, startEcsFixture, waitForTask, type EcsFixture } from './ecs-fixture.ts';

const missing = engineMissing();
if (missing) console.warn(`ecs-tasks: skipped, ${missing}`);

const fargate = { subnets: ['subnet-12345678'], securityGroups: ['sg-12345678'], assignPublicIp: 'ENABLED' as const };

/** The host port a task's container port is published on, from networkBindings. */
function published(t: Task, containerPort: number): number {
  const b = t.containers?.flatMap((c) => c.networkBindings ?? []).find((n) => n.containerPort === containerPort);
  if (!b?.hostPort) throw new Error(`no binding for ${containerPort}: ${JSON.stringify(t.containers)}`);
  expect(b.bindIP).toBe('127.0.0.1');
  return b.hostPort;
}

describe.skipIf(missing !== undefined)('ECS tasks run as containers', () => {
  let f: EcsFixture;
  let ecs: ECSClient;
  let image: string;
  beforeAll(async () => {
    f = await startEcsFixture();
    ecs = f.ecs('alice');
    image = await f.pushHello('alice', 'hello', 'v1');
    await ecs.send(new CreateClusterCommand({ clusterName: 'lab' }));
  });
  afterAll(async () => {
    await f?.dispose();
  });

  it('runs a Fargate-style task that serves "Hello From ECS" on the port reported in the ENI details, then stops it with its exit code', async () => {
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'hello-fargate',
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        cpu: '256',
        memory: '512',
        containerDefinitions: [{ name: 'web', image, portMappings: [{ containerPort: 80, protocol: 'tcp' }], essential: true, stopTimeout: 2 }],
      }),
    );
    const run = await ecs.send(
      new RunTaskCommand({ cluster: 'lab', taskDefinition: 'hello-fargate', launchType: 'FARGATE', networkConfiguration: { awsvpcConfiguration: fargate } }),
    );
    expect(run.failures).toEqual([]);
    const arn = run.tasks![0]!.taskArn!;
    expect(arn).toMatch(new RegExp(`^arn:aws:ecs:us-east-1:${f.sandbox.accounts.provision('alice').accountId}:task/lab/[0-9a-f]{32}$`));
    expect(run.tasks![0]!.lastStatus).toBe('PROVISIONING');

    const seen = new Set<string>();
    const task = await waitForTask(ecs, 'lab', arn, (t) => {
      seen.add(t.lastStatus!);
      return t.lastStatus === 'RUNNING' || t.lastStatus === 'STOPPED';
    });
    expect(task.lastStatus).toBe('RUNNING');
    expect(task.launchType).toBe('FARGATE');
    const port = published(task, 80);
    const eni = task.attachments?.find((a) => a.type === 'ElasticNetworkInterface');
    expect(eni?.status).toBe('ATTACHED');
    expect(eni?.details).toContainEqual({ name: 'privateIPv4Address', value: '127.0.0.1' });
    expect(eni?.details).toContainEqual({ name: 'sandboxPublishedPort.80/tcp', value: `127.0.0.1:${port}` });
    expect(task.containers![0]!.runtimeId).toMatch(/^[0-9a-f]{64}$/);
    expect(task.containers![0]!.imageDigest).toMatch(/^sha256:[0-9a-f]{64}$/);

    const res = await fetch(`http://127.0.0.1:${port}/`);
    expect(await res.text()).toBe('Hello From ECS\n');

    const stopped = await ecs.send(new StopTaskCommand({ cluster: 'lab', task: arn }));
    expect(stopped.task?.desiredStatus).toBe('STOPPED');
    expect(stopped.task?.stoppedReason).toBe('Task stopped by user');
    const done = await waitForTask(ecs, 'lab', arn, (t) => t.lastStatus === 'STOPPED');
    expect(done.stopCode).toBe('UserInitiated');
    // busybox httpd as PID 1 ignores SIGTERM: the engine kills it after stopTimeout (2 s), as ECS would.
    expect(done.containers![0]!.exitCode).toBe(137);
    expect(done.containers![0]!.lastStatus).toBe('STOPPED');
    expect(eni && done.attachments?.[0]?.status).toBe('DELETED');
    expect(await f.containers()).toEqual([]);
    await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();
    const stoppedList = await ecs.send(new ListTasksCommand({ cluster: 'lab', desiredStatus: 'STOPPED' }));
    expect(stoppedList.taskArns).toContain(arn);
  });

  it('runs a bridge task with a dynamic host port, command override, init process and environment', async () => {
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'hello-bridge',
        containerDefinitions: [
          {
            name: 'web',
            image,
            memory: 64,
            portMappings: [{ containerPort: 8080 }],
            environment: [{ name: 'GREETING', value: 'hi' }],
            linuxParameters: { initProcessEnabled: true },
          },
        ],
      }),
    );
    const run = await ecs.send(
      new RunTaskCommand({
        cluster: 'lab',
        taskDefinition: 'hello-bridge:1',
        overrides: { containerOverrides: [{ name: 'web', command: ['httpd', '-f', '-p', '8080', '-h', '/www'] }] },
      }),
    );
    const arn = run.tasks![0]!.taskArn!;
    const task = await waitForTask(ecs, 'lab', arn, (t) => t.lastStatus === 'RUNNING' || t.lastStatus === 'STOPPED');
    expect(task.lastStatus).toBe('RUNNING');
    expect(task.attachments).toEqual([]);
    const port = published(task, 8080);
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('Hello From ECS\n');
    await ecs.send(new StopTaskCommand({ cluster: 'lab', task: arn, reason: 'done with it' }));
    const done = await waitForTask(ecs, 'lab', arn, (t) => t.lastStatus === 'STOPPED');
    expect(done.stoppedReason).toBe('done with it');
    // With an init process the server gets SIGTERM and exits at once: 143 = 128 + SIGTERM.
    expect(done.containers![0]!.exitCode).toBe(143);
  });

  it('stops a task whose essential container exits, with "Essential container in task exited" and its exit code', async () => {
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'exits',
        containerDefinitions: [{ name: 'job', image, memory: 32, command: ['sh', '-c', 'echo working; sleep 1; echo failing >&2; exit 3'] }],
      }),
    );
    const run = await ecs.send(new RunTaskCommand({ cluster: 'lab', taskDefinition: 'exits' }));
    const arn = run.tasks![0]!.taskArn!;
    const done = await waitForTask(ecs, 'lab', arn, (t) => t.lastStatus === 'STOPPED');
    expect(done.stopCode).toBe('EssentialContainerExited');
    expect(done.stoppedReason).toBe('Essential container in task exited');
    expect(done.containers![0]!.exitCode).toBe(3);
    // The output outlives the container: the admin logs endpoint serves what it printed.
    const id = arn.split('/').pop()!;
    const res = await fetch(`${f.sandbox.endpoint}/_sandbox/tasks/${id}/logs`, { headers: { authorization: `Bearer ${f.sandbox.adminToken}` } });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('working\nfailing\n');
    const denied = await fetch(`${f.sandbox.endpoint}/_sandbox/tasks/${id}/logs`);
    expect(denied.status).toBe(401);
    expect(await fetchTaskLogs({ port: f.sandbox.port, dataDir: f.dataDir, task: arn, tail: 1 })).toEqual({ ok: true, text: 'failing\n' });
    expect(await fetchTaskLogs({ port: f.sandbox.port, dataDir: f.dataDir, task: 'f'.repeat(32) })).toEqual({ ok: false, error: `sandbox: no task ${'f'.repeat(32)}` });
    // `labrunner sandbox logs <task>` prints the same.
    const cli = await promisify(execFile)(process.execPath, [BIN, 'sandbox', 'logs', id, '--port', String(f.sandbox.port), '--data-dir', f.dataDir], {
      env: { ...process.env, LABRUNNER_TSX: '1' },
      timeout: 60_000,
    });
    expect(cli.stdout).toBe('working\nfailing\n');
  });

  it('forgets stopped tasks about an hour after they stopped, as ECS does', async () => {
    const before = (await ecs.send(new ListTasksCommand({ cluster: 'lab', desiredStatus: 'STOPPED' }))).taskArns!;
    expect(before.length).toBeGreaterThan(0);
    const res = await fetch(`${f.sandbox.endpoint}/_sandbox/clock`, {
      method: 'POST',
      headers: { authorization: `Bearer ${f.sandbox.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ advanceDays: 1 / 24 + 0.001 }),
    });
    expect(res.status).toBe(200);
    expect((await ecs.send(new ListTasksCommand({ cluster: 'lab', desiredStatus: 'STOPPED' }))).taskArns).toEqual([]);
    const described = await ecs.send(new DescribeTasksCommand({ cluster: 'lab', tasks: [before[0]!] }));
    expect(described.failures).toEqual([{ arn: before[0], reason: 'MISSING' }]);
  });

  it('`labrunner sandbox env` exports the DOCKER_HOST the sandbox runs tasks on', async () => {
    const exports = await renderSandboxEnv({ port: f.sandbox.port, dataDir: f.dataDir, learnerId: 'alice' });
    const health = (await (await fetch(`${f.sandbox.endpoint}/_sandbox/health`)).json()) as { dockerHost: string };
    expect(health.dockerHost).toMatch(/^unix:\/\//);
    expect(exports).toContain(`export DOCKER_HOST='${health.dockerHost}'\nexport DOCKER_BUILDKIT=0\n`);
  });

  it('stops with CannotPullContainerError when the tag does not exist', async () => {
    await ecs.send(
      new RegisterTaskDefinitionCommand({ family: 'missing-tag', containerDefinitions: [{ name: 'web', image: image.replace(':v1', ':nope'), memory: 32 }] }),
    );
    const run = await ecs.send(new RunTaskCommand({ cluster: 'lab', taskDefinition: 'missing-tag' }));
    const done = await waitForTask(ecs, 'lab', run.tasks![0]!.taskArn!, (t) => t.lastStatus === 'STOPPED');
    expect(done.stopCode).toBe('TaskFailedToStart');
    expect(done.stoppedReason).toMatch(/^CannotPullContainerError: .*manifest unknown: Requested image not found/);
    expect(done.containers![0]!.reason).toBe(done.stoppedReason);
    expect(done.containers![0]!.exitCode).toBeUndefined();
    expect(done.startedAt).toBeUndefined();
  });

  it("cannot pull another account's private image: the registry denies the task account's credentials", async () => {
    const bobImage = await f.pushHello('bob', 'private', 'v1');
    await ecs.send(new RegisterTaskDefinitionCommand({ family: 'steal', containerDefinitions: [{ name: 'web', image: bobImage, memory: 32 }] }));
    const run = await ecs.send(new RunTaskCommand({ cluster: 'lab', taskDefinition: 'steal' }));
    const done = await waitForTask(ecs, 'lab', run.tasks![0]!.taskArn!, (t) => t.lastStatus === 'STOPPED');
    expect(done.stopCode).toBe('TaskFailedToStart');
    expect(done.stoppedReason).toMatch(/^CannotPullContainerError: .*(denied|not authorized)/i);
  });
});
