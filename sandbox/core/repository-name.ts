import { invalidParameter, type AwsError } from './aws-error.ts';

/** The repository-name pattern from the ECR service model (kept as text: AWS quotes it in its error). */
export const REPOSITORY_NAME_PATTERN_TEXT = '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*';
const REPOSITORY_NAME_PATTERN = new RegExp(`^${REPOSITORY_NAME_PATTERN_TEXT}$`);

/**
 * Checks a repository name as ECR does (2–256 characters, lowercase path segments).
 * Returns the InvalidParameterException to throw, or undefined when the name is valid.
 */
export function checkRepositoryName(name: string): AwsError | undefined {
  if (name.length < 2 || name.length > 256) {
    return invalidParameter(
      `Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must have length between 2 and 256'`,
    );
  }
  if (!REPOSITORY_NAME_PATTERN.test(name)) {
    return invalidParameter(
      `Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression '${REPOSITORY_NAME_PATTERN_TEXT}''`,
    );
  }
  return undefined;
}
