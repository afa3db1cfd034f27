import type { Cluster } from '@aws-sdk/client-ecs';
import { ecsSdk } from './sdk.ts';
import type { AwsContext, FailParts } from './ecr.ts';
import { sendOptions } from './ecr.ts';
import { nearMisses } from './near-miss.ts';

/** The last path segment of an ECS ARN (`…:cluster/lab` → `lab`). */
export function nameOfArn(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

/** The ACTIVE cluster called `name`, or undefined. */
export async function describeCluster(ctx: AwsContext, region: string, name: string): Promise<Cluster | undefined> {
  const out = await ctx.aws.inRegion(region).ecs.send(new (await ecsSdk()).DescribeClustersCommand({ clusters: [name] }), sendOptions(ctx));
  const cluster = out.clusters?.[0];
  return cluster?.status === 'ACTIVE' ? cluster : undefined;
}

/** Why cluster `name` is missing, naming a near-miss cluster when there is one. */
export async function explainMissingCluster(ctx: AwsContext, region: string, name: string): Promise<FailParts> {
  const out = await ctx.aws.inRegion(region).ecs.send(new (await ecsSdk()).ListClustersCommand({}), sendOptions(ctx));
  const names = (out.clusterArns ?? []).map(nameOfArn);
  const near = nearMisses(name, names);
  const create = `aws ecs create-cluster --cluster-name ${name}${region === ctx.aws.region ? '' : ` --region ${region}`}`;
  const hint = near.length > 0 ? `You created '${near[0]}'; this lab asks for '${name}'. Create it: ${create}` : `Create it: ${create}`;
  return { message: `There is no ECS cluster '${name}' in ${region}.`, hint, evidence: { cluster: name, region, clusters: names.slice(0, 20) } };
}

/** `host/repo:tag` or `host/repo@sha256:…` → `repo` (the ECR repository an image reference names). */
export function repositoryOfImage(image: string): string {
  const slash = image.indexOf('/');
  const path = slash >= 0 && /[.:]|^localhost$/.test(image.slice(0, slash)) ? image.slice(slash + 1) : image;
  return path.replace(/@.*$/, '').replace(/:[^/]*$/, '');
}
