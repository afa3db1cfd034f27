/**
 * The seed lab's ECS flow with the real AWS CLI v2 (`/usr/bin/aws --endpoint-url`): create-cluster,
 * register-task-definition from a Fargate-style JSON file, run-task --launch-type FARGATE
 * --network-configuration, `aws ecs wait tasks-running`, the page answers, stop-task, `wait tasks-stopped`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineMissing, startEcsFixture, type EcsFixture } from './ecs-fixture.ts';

const run = promisify(execFile);
const AWS = '/usr/bin/aws';
const missing = engineMissing();
if (missing) console.warn(`ecs-cli: skipped, ${missing}`);

describe.skipIf(missing !== undefined)('sandbox ECS with the real AWS CLI v2', () => {
  let f: EcsFixture;
  let home: string;
  let env: NodeJS.ProcessEnv;
  let image: string;
  beforeAll(async () => {
    f = await startEcsFixture();
    image = await f.pushHello('learner', 'hello-ecs', 'latest');
    home = mkdtempSync(join(tmpdir(), 'sbx-ecs-cli-'));
    const creds = f.sandbox.accounts.provision('learner');
    env = { PATH: process.env.PATH, HOME: home, AWS_ACCESS_KEY_ID: creds.accessKeyId, AWS_SECRET_ACCESS_KEY: creds.secretAccessKey, AWS_DEFAULT_REGION: 'us-east-1', AWS_PAGER: '' };
  });
  afterAll(async () => {
    await f?.dispose();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  async function aws(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await run(AWS, [...args, '--endpoint-url', f.sandbox.endpoint], { env, timeout: 120_000 });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  }

  it('runs the seed lab task and the learner opens the page', async () => {
    const acct = f.sandbox.accounts.provision('learner').accountId;
    let r = await aws(['ecs', 'create-cluster', '--cluster-name', 'lab-cluster']);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout).cluster.clusterArn).toBe(`arn:aws:ecs:us-east-1:${acct}:cluster/lab-cluster`);

    const file = join(home, 'taskdef.json');
    writeFileSync(
      file,
      JSON.stringify({
        family: 'hello-ecs',
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        cpu: '256',
        memory: '512',
        containerDefinitions: [{ name: 'hello', image, essential: true, portMappings: [{ containerPort: 80, protocol: 'tcp' }], stopTimeout: 2 }],
      }),
    );
    r = await aws(['ecs', 'register-task-definition', '--cli-input-json', `file://${file}`]);
    expect(r.stderr).toBe('');
    const td = JSON.parse(r.stdout).taskDefinition;
    expect(td.taskDefinitionArn).toBe(`arn:aws:ecs:us-east-1:${acct}:task-definition/hello-ecs:1`);
    expect(td.compatibilities).toEqual(['EC2', 'FARGATE']);

    r = await aws([
      'ecs', 'run-task', '--cluster', 'lab-cluster', '--task-definition', 'hello-ecs', '--launch-type', 'FARGATE',
      '--network-configuration', 'awsvpcConfiguration={subnets=[subnet-0abc],securityGroups=[sg-0abc],assignPublicIp=ENABLED}',
      '--query', 'tasks[0].taskArn', '--output', 'text',
    ]);
    expect(r.stderr).toBe('');
    const arn = r.stdout.trim();
    expect(arn).toMatch(new RegExp(`^arn:aws:ecs:us-east-1:${acct}:task/lab-cluster/[0-9a-f]{32}$`));

    r = await aws(['ecs', 'wait', 'tasks-running', '--cluster', 'lab-cluster', '--tasks', arn]);
    expect(r.code).toBe(0);
    r = await aws([
      'ecs', 'describe-tasks', '--cluster', 'lab-cluster', '--tasks', arn,
      '--query', "tasks[0].attachments[0].details[?name=='sandboxPublishedPort.80/tcp'].value", '--output', 'text',
    ]);
    const address = r.stdout.trim();
    expect(address).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(await (await fetch(`http://${address}/`)).text()).toBe('Hello From ECS\n');

    r = await aws(['ecs', 'stop-task', '--cluster', 'lab-cluster', '--task', arn, '--query', 'task.desiredStatus', '--output', 'text']);
    expect(r.stdout.trim()).toBe('STOPPED');
    r = await aws(['ecs', 'wait', 'tasks-stopped', '--cluster', 'lab-cluster', '--tasks', arn]);
    expect(r.code).toBe(0);
    r = await aws(['ecs', 'describe-tasks', '--cluster', 'lab-cluster', '--tasks', arn, '--query', 'tasks[0].[lastStatus,stopCode,containers[0].exitCode]', '--output', 'text']);
    expect(r.stdout.trim().split(/\s+/)).toEqual(['STOPPED', 'UserInitiated', '137']);
  });

  it("prints ECS's errors: unknown cluster, Fargate without awsvpc, missing network configuration", async () => {
    let r = await aws(['ecs', 'list-tasks', '--cluster', 'nope']);
    expect(r.code).toBe(254);
    expect(r.stderr.trim()).toBe('An error occurred (ClusterNotFoundException) when calling the ListTasks operation: Cluster not found.');
    r = await aws(['ecs', 'register-task-definition', '--family', 'bad', '--requires-compatibilities', 'FARGATE', '--cpu', '256', '--memory', '512',
      '--container-definitions', JSON.stringify([{ name: 'x', image }])]);
    expect(r.stderr.trim()).toBe('An error occurred (ClientException) when calling the RegisterTaskDefinition operation: Fargate only supports network mode \u2018awsvpc\u2019.');
    r = await aws(['ecs', 'run-task', '--cluster', 'lab-cluster', '--task-definition', 'hello-ecs', '--launch-type', 'FARGATE']);
    expect(r.stderr.trim()).toBe(
      "An error occurred (InvalidParameterException) when calling the RunTask operation: Network Configuration must be provided when networkMode 'awsvpc' is specified.",
    );
  });
});
