import { ecsSdk } from '../lib/sdk.ts';
import { z } from 'zod';
import { fail, pass } from '../../server/core/checks.ts';
import { isAwsError } from '../lib/aws-errors.ts';
import { sendOptions, type AwsChecker } from '../lib/ecr.ts';
import { explainMissingCluster } from '../lib/ecs.ts';
import { zodParams } from '../lib/params.ts';

const Params = z.strictObject({
  cluster: z.string().min(1),
  service: z.string().min(1),
  /** The service must want (and run) this many tasks; default whatever it wants, at least 1. */
  desiredCount: z.number().int().min(0).optional(),
  region: z.string().min(1).optional(),
});
type Params = z.output<typeof Params>;

/** An ECS service is ACTIVE with one deployment and all its desired tasks running; else its latest event is quoted. */
export const ecsServiceSteady: AwsChecker<Params> = {
  id: 'ecs.service-steady',
  description: 'An ECS service is ACTIVE and has reached a steady state',
  params: zodParams(Params),
  async run(p, ctx) {
    const region = p.region ?? ctx.aws.region;
    let out;
    try {
      out = await ctx.aws.inRegion(region).ecs.send(new (await ecsSdk()).DescribeServicesCommand({ cluster: p.cluster, services: [p.service] }), sendOptions(ctx));
    } catch (err) {
      if (!isAwsError(err, 'ClusterNotFoundException')) throw err;
      const why = await explainMissingCluster(ctx, region, p.cluster);
      return fail(why.message, why.hint, why.evidence);
    }
    const svc = out.services?.[0];
    if (!svc || svc.status !== 'ACTIVE') {
      return fail(`There is no active service '${p.service}' in '${p.cluster}'.`, `Create it: aws ecs create-service --cluster ${p.cluster} --service-name ${p.service} --task-definition <family> --desired-count ${p.desiredCount ?? 1} …`, {
        cluster: p.cluster,
        service: p.service,
        status: svc?.status ?? 'MISSING',
      });
    }
    const desired = svc.desiredCount ?? 0;
    const running = svc.runningCount ?? 0;
    const evidence = { cluster: p.cluster, service: p.service, desiredCount: desired, runningCount: running, deployments: svc.deployments?.length ?? 0 };
    if (p.desiredCount !== undefined ? desired !== p.desiredCount : desired < 1) {
      const want = p.desiredCount ?? 1;
      return fail(`Service '${p.service}' wants ${desired} task${desired === 1 ? '' : 's'}; the lab asks for ${p.desiredCount ?? 'at least 1'}.`, `aws ecs update-service --cluster ${p.cluster} --service ${p.service} --desired-count ${want}`, evidence);
    }
    const steady = running === desired && (svc.deployments?.length ?? 0) <= 1;
    if (!steady) {
      const event = svc.events?.[0]?.message;
      return fail(
        `Service '${p.service}' is not steady yet: ${running} of ${desired} task${desired === 1 ? '' : 's'} running${(svc.deployments?.length ?? 0) > 1 ? ', a deployment is in progress' : ''}.`,
        event ? `Its latest event: "${event}". If tasks keep stopping, look at why: aws ecs describe-tasks.` : 'It is still starting tasks: try again in a moment.',
        { ...evidence, latestEvent: event },
      );
    }
    return pass(`Service '${p.service}' is steady with ${running} task${running === 1 ? '' : 's'} running.`, evidence);
  },
};
