import type { Scope } from './scope.ts';

/** `arn:aws:ecr:<region>:<account>:repository/<name>`, as ECR names a repository. */
export function repositoryArn(scope: Scope, name: string): string {
  return `arn:aws:ecr:${scope.region}:${scope.accountId}:repository/${name}`;
}

/** Parses a repository ARN; undefined when it is not one. */
export function parseRepositoryArn(arn: string): { scope: Scope; name: string } | undefined {
  const m = /^arn:aws:ecr:([0-9a-z-]{2,25}):([0-9]{12}):repository\/(.+)$/.exec(arn);
  if (!m) return undefined;
  return { scope: { region: m[1]!, accountId: m[2]! }, name: m[3]! };
}
