import { z } from 'zod';
import { fail, pass } from '../../server/core/checks.ts';
import type { AwsChecker } from '../lib/ecr.ts';
import { describeCluster, explainMissingCluster } from '../lib/ecs.ts';
import { zodParams } from '../lib/params.ts';

const Params = z.strictObject({ cluster: z.string().min(1), region: z.string().min(1).optional() });
type Params = z.output<typeof Params>;

/** An ACTIVE ECS cluster exists; a near-miss cluster name is named in the hint. */
export const ecsClusterExists: AwsChecker<Params> = {
  id: 'ecs.cluster-exists',
  description: 'An ECS cluster exists and is ACTIVE',
  params: zodParams(Params),
  async run(p, ctx) {
    const region = p.region ?? ctx.aws.region;
    const cluster = await describeCluster(ctx, region, p.cluster);
    if (!cluster) {
      const why = await explainMissingCluster(ctx, region, p.cluster);
      return fail(why.message, why.hint, why.evidence);
    }
    return pass(`ECS cluster '${p.cluster}' exists in ${region}.`, { cluster: p.cluster, region, clusterArn: cluster.clusterArn });
  },
};
