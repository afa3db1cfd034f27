import type { Task } from '@aws-sdk/client-ecs';
import { ecsSdk } from '../lib/sdk.ts';
import { z } from 'zod';
import { fail, pass } from '../../server/core/checks.ts';
import { isAwsError } from '../lib/aws-errors.ts';
import { sendOptions, type AwsChecker, type AwsContext } from '../lib/ecr.ts';
import { explainMissingCluster } from '../lib/ecs.ts';
import { zodParams } from '../lib/params.ts';

const Params = z.strictObject({
  cluster: z.string().min(1),
  /** Only tasks of this task definition family count. */
  family: z.string().min(1).optional(),
  region: z.string().min(1).optional(),
});
type Params = z.output<typeof Params>;

/** A task is RUNNING in the cluster; a stopped one has its stoppedReason quoted. */
export const ecsTaskRunning: AwsChecker<Params> = {
  id: 'ecs.task-running',
  description: 'A task (of a family) is RUNNING in an ECS cluster',
  params: zodParams(Params),
  async run(p, ctx) {
    const region = p.region ?? ctx.aws.region;
    let running: Task[];
    try {
      running = await tasks(ctx, region, p, 'RUNNING');
    } catch (err) {
      if (!isAwsError(err, 'ClusterNotFoundException')) throw err;
      const why = await explainMissingCluster(ctx, region, p.cluster);
      return fail(why.message, why.hint, why.evidence);
    }
    const of = p.family !== undefined ? ` of '${p.family}'` : '';
    const up = running.find((t) => t.lastStatus === 'RUNNING');
    if (up) return pass(`A task${of} is running in '${p.cluster}'.`, { cluster: p.cluster, taskArn: up.taskArn, taskDefinitionArn: up.taskDefinitionArn });
    const starting = running[0];
    if (starting) {
      return fail(`The task${of} in '${p.cluster}' is ${starting.lastStatus ?? 'starting'}, not yet RUNNING.`, 'It is still starting (pulling the image, starting the container): try again in a moment.', {
        cluster: p.cluster,
        lastStatus: starting.lastStatus,
      });
    }
    const stopped = (await tasks(ctx, region, p, 'STOPPED')).sort((a, b) => (b.stoppedAt?.getTime() ?? 0) - (a.stoppedAt?.getTime() ?? 0))[0];
    if (stopped) {
      const reasons = (stopped.containers ?? []).map((c) => c.reason).filter((r): r is string => !!r);
      const exit = stopped.containers?.find((c) => c.exitCode !== undefined)?.exitCode;
      const why = [stopped.stoppedReason, ...reasons].filter(Boolean).join(' — ');
      return fail(
        `Your last task${of} in '${p.cluster}' stopped: "${why || 'no reason given'}"${exit !== undefined ? ` (exit code ${exit})` : ''}.`,
        'Fix what the reason says (the image URI and login, the command, the port), then run the task again: aws ecs run-task …',
        { cluster: p.cluster, taskArn: stopped.taskArn, stoppedReason: stopped.stoppedReason, containerReasons: reasons, exitCode: exit },
      );
    }
    return fail(`No task${of} is running in '${p.cluster}'.`, `Run one: aws ecs run-task --cluster ${p.cluster} --task-definition ${p.family ?? '<family>'} …`, { cluster: p.cluster });
  },
};

async function tasks(ctx: AwsContext, region: string, p: Params, desiredStatus: 'RUNNING' | 'STOPPED'): Promise<Task[]> {
  const ecs = ctx.aws.inRegion(region).ecs;
  const list = await ecs.send(new (await ecsSdk()).ListTasksCommand({ cluster: p.cluster, desiredStatus, ...(p.family !== undefined ? { family: p.family } : {}) }), sendOptions(ctx));
  const arns = list.taskArns ?? [];
  if (arns.length === 0) return [];
  const out = await ecs.send(new (await ecsSdk()).DescribeTasksCommand({ cluster: p.cluster, tasks: arns.slice(0, 100) }), sendOptions(ctx));
  return out.tasks ?? [];
}
