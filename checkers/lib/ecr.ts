import type { ECRClient, ImageDetail, Repository } from '@aws-sdk/client-ecr';
import { ecrSdk } from './sdk.ts';
import type { AwsClients } from '../../server/aws/clients.ts';
import type { CheckContext, CheckerDefinition, Evidence } from '../../server/core/checks.ts';
import { unlessAwsError } from './aws-errors.ts';
import { abortSignalOf } from './deadline.ts';
import { nearMisses } from './near-miss.ts';

/** A checker that uses the learner's AWS clients. */
export type AwsChecker<P> = CheckerDefinition<P, AwsClients>;
export type AwsContext = CheckContext<AwsClients>;

/** Regions searched for "you created it in the wrong region" hints, unless a check names its own. */
export const DEFAULT_SEARCH_REGIONS: readonly string[] = ['us-east-1', 'us-east-2', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-1'];

/** The options of every SDK call a checker makes. */
export function sendOptions(ctx: Pick<AwsContext, 'signal'>): { abortSignal: AbortSignal } {
  return { abortSignal: abortSignalOf(ctx.signal) };
}

/** ` --region r` when `region` is not the learner's default, for commands quoted in hints. */
export function regionFlag(ctx: AwsContext, region: string): string {
  return region === ctx.aws.region ? '' : ` --region ${region}`;
}

/** One repository, or undefined when it does not exist. */
export async function describeRepository(ecr: ECRClient, name: string, ctx: Pick<AwsContext, 'signal'>): Promise<Repository | undefined> {
  const out = await unlessAwsError(ecr.send(new (await ecrSdk()).DescribeRepositoriesCommand({ repositoryNames: [name] }), sendOptions(ctx)), 'RepositoryNotFoundException');
  return out?.repositories?.[0];
}

/** All repositories of the learner in the client's region. */
export async function listRepositories(ecr: ECRClient, ctx: Pick<AwsContext, 'signal'>): Promise<Repository[]> {
  const all: Repository[] = [];
  let nextToken: string | undefined;
  do {
    const out = await ecr.send(new (await ecrSdk()).DescribeRepositoriesCommand({ maxResults: 1000, nextToken }), sendOptions(ctx));
    all.push(...(out.repositories ?? []));
    nextToken = out.nextToken;
  } while (nextToken);
  return all;
}

/**
 * The regions (other than `exclude`) where a repository called `name` exists. Best effort: a region that
 * cannot be asked (not enabled for the account, no access) is skipped; only the check's abort propagates.
 */
export async function regionsWithRepository(ctx: AwsContext, name: string, exclude: string, regions: readonly string[]): Promise<string[]> {
  const found = await Promise.all(
    regions
      .filter((r) => r !== exclude)
      .map(async (region) => {
        try {
          return (await describeRepository(ctx.aws.inRegion(region).ecr, name, ctx)) ? region : undefined;
        } catch (err) {
          if (ctx.signal.aborted) throw err;
          return undefined;
        }
      }),
  );
  return found.filter((r): r is string => r !== undefined);
}

/** A `fail`'s parts. */
export interface FailParts {
  message: string;
  hint: string;
  evidence: Evidence;
}

/**
 * Why the repository `name` is not in `region`, as specifically as can be told: it is in another region,
 * or the learner made one with a near-miss name, or there is nothing like it (then the command to create it).
 */
export async function explainMissingRepository(ctx: AwsContext, name: string, region: string, searchRegions: readonly string[] = DEFAULT_SEARCH_REGIONS): Promise<FailParts> {
  const create = `aws ecr create-repository --repository-name ${name}${regionFlag(ctx, region)}`;
  const message = `There is no repository '${name}' in ${region}.`;
  const elsewhere = await regionsWithRepository(ctx, name, region, searchRegions);
  if (elsewhere.length > 0) {
    return {
      message,
      hint: `You created '${name}' in ${elsewhere.join(' and ')}; this lab uses ${region}. Create it in ${region}: ${create}`,
      evidence: { repository: name, region, foundInRegions: elsewhere },
    };
  }
  const existing = (await listRepositories(ctx.aws.inRegion(region).ecr, ctx)).map((r) => r.repositoryName ?? '');
  const near = nearMisses(name, existing);
  if (near.length > 0) {
    return {
      message,
      hint:
        `You created '${near[0]}'; this lab asks for '${name}'. A repository cannot be renamed: create '${name}' (${create}) ` +
        `and delete '${near[0]}' if you do not need it.`,
      evidence: { repository: name, region, nearMisses: near },
    };
  }
  const listed = existing.length > 0 ? ` Your repositories in ${region}: ${quoteList(existing, 5)}.` : '';
  return { message, hint: `Create it: ${create}${listed}`, evidence: { repository: name, region, repositories: existing.slice(0, 20) } };
}

/** `'a', 'b', 'c' and 2 more` */
export function quoteList(items: readonly string[], max: number): string {
  const shown = items.slice(0, max).map((i) => `'${i}'`).join(', ');
  return items.length > max ? `${shown} and ${items.length - max} more` : shown;
}

/** Every image of a repository (manifests, with their tags), or undefined when the repository is missing. */
export async function listImages(ecr: ECRClient, repository: string, ctx: Pick<AwsContext, 'signal'>): Promise<ImageDetail[] | undefined> {
  const all: ImageDetail[] = [];
  let nextToken: string | undefined;
  do {
    const out = await unlessAwsError(
      ecr.send(new (await ecrSdk()).DescribeImagesCommand({ repositoryName: repository, maxResults: 1000, nextToken }), sendOptions(ctx)),
      'RepositoryNotFoundException',
    );
    if (!out) return undefined;
    all.push(...(out.imageDetails ?? []));
    nextToken = out.nextToken;
  } while (nextToken);
  return all;
}

/** The registry host of a repository URI (`123.dkr.ecr.us-east-1.amazonaws.com/myrepo` → the part before `/`). */
export function registryOf(repositoryUri: string): string {
  return repositoryUri.split('/')[0] ?? repositoryUri;
}
