import type { Task } from '@aws-sdk/client-ecs';
import { ecsSdk } from '../lib/sdk.ts';
import type { AwsContext } from '../lib/ecr.ts';
import { sendOptions } from '../lib/ecr.ts';

/** Which running task's page to fetch. */
export interface TaskTarget {
  cluster: string;
  family?: string;
  /** The container port the app listens on; default: the first published port. */
  containerPort?: number;
}

export type TaskAddress = { ok: true; url: string; taskArn: string } | { ok: false; message: string; hint: string };

/**
 * Finds where a running task's page answers, as the learner would with `describe-tasks`: a container's
 * `networkBindings` (bridge/host, and the sandbox's awsvpc, which publishes on 127.0.0.1), else the ENI's
 * private address with the container port (awsvpc on AWS, reachable only from inside the VPC).
 */
export async function findTaskAddress(ctx: AwsContext, target: TaskTarget): Promise<TaskAddress> {
  const ecs = ctx.aws.ecs;
  const listed = await ecs.send(
    new (await ecsSdk()).ListTasksCommand({ cluster: target.cluster, desiredStatus: 'RUNNING', ...(target.family ? { family: target.family } : {}) }),
    sendOptions(ctx),
  );
  const arns = listed.taskArns ?? [];
  const what = `${target.family ? `task of '${target.family}'` : 'task'} in cluster '${target.cluster}'`;
  if (arns.length === 0) {
    return { ok: false, message: `There is no running ${what}, so there is no page to open.`, hint: 'Run the task first (aws ecs run-task …), then check again.' };
  }
  const described = await ecs.send(new (await ecsSdk()).DescribeTasksCommand({ cluster: target.cluster, tasks: arns.slice(0, 100) }), sendOptions(ctx));
  const tasks = (described.tasks ?? []).filter((t) => t.lastStatus === 'RUNNING');
  for (const task of tasks) {
    const url = addressOf(task, target.containerPort);
    if (url) return { ok: true, url, taskArn: task.taskArn ?? '' };
  }
  if (tasks.length === 0) return { ok: false, message: `The ${what} is not RUNNING yet.`, hint: 'It is still starting: try again in a moment.' };
  const port = target.containerPort !== undefined ? `container port ${target.containerPort}` : 'any port';
  return {
    ok: false,
    message: `The running ${what} publishes no address for ${port}.`,
    hint: 'Add a port mapping for the port your web server listens on to the task definition (portMappings: containerPort), register it again and run a new task.',
  };
}

function addressOf(task: Task, containerPort: number | undefined): string | undefined {
  for (const container of task.containers ?? []) {
    for (const b of container.networkBindings ?? []) {
      if (containerPort !== undefined && b.containerPort !== containerPort) continue;
      if (b.hostPort) return `http://${hostOf(b.bindIP)}:${b.hostPort}/`;
    }
  }
  const eni = task.attachments?.find((a) => a.type === 'ElasticNetworkInterface');
  const ip = eni?.details?.find((d) => d.name === 'privateIPv4Address')?.value;
  if (ip && containerPort !== undefined) return `http://${ip}:${containerPort}/`;
  return undefined;
}

/** `0.0.0.0` means "every address": the page is then reachable on loopback. */
function hostOf(bindIP: string | undefined): string {
  if (!bindIP || bindIP === '0.0.0.0' || bindIP === '::') return '127.0.0.1';
  return bindIP.includes(':') ? `[${bindIP}]` : bindIP;
}
