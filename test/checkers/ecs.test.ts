/**
 * The ECS checkers against the full sandbox (registry + container engine): the "Hello From ECS" image
 * pushed with skopeo, task definitions registered and tasks run through SDK v3 as the learner's CLI would.
 */
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteServiceCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtInCheckers, nodeDeadlines } from '../../checkers/index.ts';
import { createAwsClients, type AwsClients } from '../../server/aws/clients.ts';
import type { CheckResult } from '../../server/core/checks.ts';
import { CheckerRegistry } from '../../server/core/grading/checker-registry.ts';
import { engineMissing, startEcsFixture, waitForTask, type EcsFixture } from '../sandbox/ecs-fixture.ts';

const missing = engineMissing();
if (missing) console.warn(`checkers/ecs: skipped, ${missing}`);

const registry = new CheckerRegistry<AwsClients>(nodeDeadlines);
registry.registerAll(builtInCheckers);

describe.skipIf(missing !== undefined)('ECS checkers against the sandbox', () => {
  let f: EcsFixture;
  let aws: AwsClients;
  let image: string;
  const check = (id: string, params: unknown): Promise<CheckResult> =>
    registry.runCheck(registry.get(id)!, params, { learnerId: 'ecs-learner', variables: {}, aws, workspace: '/tmp' }, { timeoutMs: 20_000 });

  beforeAll(async () => {
    f = await startEcsFixture();
    const account = f.sandbox.accounts.provision('ecs-learner');
    aws = await createAwsClients({ accountId: account.accountId, region: 'us-east-1', endpoint: f.sandbox.endpoint, credentials: account }, { maxAttempts: 1 });
    image = await f.pushHello('ecs-learner', 'myrepo', 'latest');
    await f.pushHello('ecs-learner', 'other-repo', 'latest');
  });
  afterAll(async () => {
    aws?.dispose();
    await f?.dispose();
  });

  const untilSettled = (t: Task) => t.lastStatus === 'RUNNING' || t.lastStatus === 'STOPPED';

  it('ecs.cluster-exists: names a near-miss cluster, then passes', async () => {
    await aws.ecs.send(new CreateClusterCommand({ clusterName: 'lab-cluster1' }));
    const r = await check('ecs.cluster-exists', { cluster: 'lab-cluster' });
    expect(r).toMatchObject({ status: 'fail', message: "There is no ECS cluster 'lab-cluster' in us-east-1.", hint: "You created 'lab-cluster1'; this lab asks for 'lab-cluster'. Create it: aws ecs create-cluster --cluster-name lab-cluster" });
    await aws.ecs.send(new CreateClusterCommand({ clusterName: 'lab-cluster' }));
    expect(await check('ecs.cluster-exists', { cluster: 'lab-cluster' })).toMatchObject({ status: 'pass', message: "ECS cluster 'lab-cluster' exists in us-east-1." });
  });

  it('ecs.task-definition: names the repository of an image taken from elsewhere, a missing port, a missing family', async () => {
    const register = (family: string, img: string, port = 80) =>
      aws.ecs.send(new RegisterTaskDefinitionCommand({ family, networkMode: 'bridge', containerDefinitions: [{ name: 'web', image: img, memory: 64, essential: true, portMappings: [{ containerPort: port, hostPort: 0 }] }] }));
    await register('hello', image);
    expect(await check('ecs.task-definition', { family: 'hello', repository: 'myrepo', containerPort: 80, networkMode: 'bridge' })).toMatchObject({ status: 'pass', message: "Task definition 'hello:1' is registered as the lab asks." });
    await register('hello', image.replace('/myrepo:', '/other-repo:'));
    const other = await check('ecs.task-definition', { family: 'hello', repository: 'myrepo' });
    expect(other.message).toBe("'hello:2' does not use an image from 'myrepo'.");
    expect(other.status === 'fail' && other.hint).toMatch(/^It uses \S+\/other-repo:latest \(repository 'other-repo'\); this lab asks for the image you pushed to 'myrepo'\./);
    expect((await check('ecs.task-definition', { family: 'hello', containerPort: 8080 })).message).toBe("'hello:2' does not map container port 8080.");
    expect(await check('ecs.task-definition', { family: 'helo' })).toMatchObject({
      status: 'fail',
      message: "There is no task definition 'helo' in us-east-1.",
      hint: expect.stringMatching(/^You registered 'hello'; this lab asks for 'helo'\./),
    });
    await register('hello', image); // revision 3 uses myrepo again, for the tasks below
  });

  it('ecs.task-running: no task, a stopped task with its reason quoted, then a running task serving the page', async () => {
    expect(await check('ecs.task-running', { cluster: 'lab-cluster', family: 'hello' })).toMatchObject({ status: 'fail', message: "No task of 'hello' is running in 'lab-cluster'." });
    expect((await check('ecs.task-running', { cluster: 'nope' })).message).toBe("There is no ECS cluster 'nope' in us-east-1.");

    await aws.ecs.send(new RegisterTaskDefinitionCommand({ family: 'broken', containerDefinitions: [{ name: 'web', image: image.replace(':latest', ':missing-tag'), memory: 64, essential: true }] }));
    const bad = await aws.ecs.send(new RunTaskCommand({ cluster: 'lab-cluster', taskDefinition: 'broken' }));
    const stopped = await waitForTask(aws.ecs, 'lab-cluster', bad.tasks![0]!.taskArn!, (t) => t.lastStatus === 'STOPPED');
    const r = await check('ecs.task-running', { cluster: 'lab-cluster', family: 'broken' });
    expect(r.status).toBe('fail');
    expect(stopped.stoppedReason).toBeTruthy();
    expect(r.message).toContain(`stopped: "${stopped.stoppedReason}`);

    const run = await aws.ecs.send(new RunTaskCommand({ cluster: 'lab-cluster', taskDefinition: 'hello' }));
    const task = await waitForTask(aws.ecs, 'lab-cluster', run.tasks![0]!.taskArn!, untilSettled);
    expect(task.lastStatus).toBe('RUNNING');
    expect(await check('ecs.task-running', { cluster: 'lab-cluster', family: 'hello' })).toMatchObject({ status: 'pass', message: "A task of 'hello' is running in 'lab-cluster'." });
    const port = task.containers!.flatMap((c) => c.networkBindings ?? []).find((b) => b.containerPort === 80)!.hostPort!;
    expect(await check('http.responds', { port, contains: 'Hello From ECS' })).toMatchObject({ status: 'pass' });
    // The same page found from the task itself, as describe-tasks shows it.
    expect(await check('http.responds', { task: { cluster: 'lab-cluster', family: 'hello', containerPort: 80 }, contains: 'Hello From ECS' })).toMatchObject({
      status: 'pass',
      message: expect.stringContaining("(the task's address)"),
    });
    expect(await check('http.responds', { task: { cluster: 'lab-cluster', family: 'nope' }, contains: 'x' })).toMatchObject({
      status: 'fail',
      message: "There is no running task of 'nope' in cluster 'lab-cluster', so there is no page to open.",
    });
    await aws.ecs.send(new StopTaskCommand({ cluster: 'lab-cluster', task: task.taskArn! }));
  });

  it('ecs.service-steady: missing service, then steady once its task runs', async () => {
    expect(await check('ecs.service-steady', { cluster: 'lab-cluster', service: 'web' })).toMatchObject({ status: 'fail', message: "There is no active service 'web' in 'lab-cluster'." });
    await aws.ecs.send(new CreateServiceCommand({ cluster: 'lab-cluster', serviceName: 'web', taskDefinition: 'hello', desiredCount: 1 }));
    let r = await check('ecs.service-steady', { cluster: 'lab-cluster', service: 'web', desiredCount: 1 });
    for (let i = 0; i < 120 && r.status !== 'pass'; i++) {
      expect(r.message).toMatch(/^Service 'web' is not steady yet: 0 of 1 task running/);
      await new Promise((res) => setTimeout(res, 250));
      r = await check('ecs.service-steady', { cluster: 'lab-cluster', service: 'web', desiredCount: 1 });
    }
    expect(r).toMatchObject({ status: 'pass', message: "Service 'web' is steady with 1 task running." });
    expect((await check('ecs.service-steady', { cluster: 'lab-cluster', service: 'web', desiredCount: 2 })).message).toBe("Service 'web' wants 1 task; the lab asks for 2.");
    await aws.ecs.send(new DeleteServiceCommand({ cluster: 'lab-cluster', service: 'web', force: true }));
    const left = await aws.ecs.send(new ListTasksCommand({ cluster: 'lab-cluster' }));
    for (const t of left.taskArns ?? []) await aws.ecs.send(new StopTaskCommand({ cluster: 'lab-cluster', task: t }));
  });
});
