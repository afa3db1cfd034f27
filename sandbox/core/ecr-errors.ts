/**
 * ECR's errors with the exact names and messages AWS returns (see /work/shared/aws-sandbox-spec.md).
 * Checkers match on `name`, learners read `message`: both must be AWS's.
 */
import { AwsError } from './aws-error.ts';

/** `{imageDigest:'…', imageTag:'…'}` as ECR prints an image id inside messages (missing parts print as null). */
export function formatImageId(id: { imageDigest?: string | undefined; imageTag?: string | undefined }): string {
  const part = (v: string | undefined) => (v === undefined ? 'null' : `'${v}'`);
  return `{imageDigest:${part(id.imageDigest)}, imageTag:${part(id.imageTag)}}`;
}

/** Factories for ECR's error responses. */
export const ecrErrors = {
  repositoryNotFound: (name: string, registryId: string) =>
    new AwsError(
      'RepositoryNotFoundException',
      `The repository with name '${name}' does not exist in the registry with id '${registryId}'`,
    ),
  repositoryAlreadyExists: (name: string, registryId: string) =>
    new AwsError(
      'RepositoryAlreadyExistsException',
      `The repository with name '${name}' already exists in the registry with id '${registryId}'`,
    ),
  repositoryNotEmpty: (name: string, registryId: string) =>
    new AwsError(
      'RepositoryNotEmptyException',
      `The repository with name '${name}' in registry with id '${registryId}' cannot be deleted because it still contains images`,
    ),
  imageNotFound: (id: { imageDigest?: string; imageTag?: string }, name: string, registryId: string) =>
    new AwsError(
      'ImageNotFoundException',
      `The image with imageId ${formatImageId(id)} does not exist within the repository with name '${name}' in the registry with id '${registryId}'`,
    ),
  imageAlreadyExists: (digest: string, tag: string | undefined, name: string, registryId: string) =>
    new AwsError(
      'ImageAlreadyExistsException',
      `Image with digest '${digest}'${tag === undefined ? '' : ` and tag '${tag}'`} already exists in the repository with name '${name}' in the registry with id '${registryId}'`,
    ),
  imageTagAlreadyExists: (tag: string, name: string) =>
    new AwsError(
      'ImageTagAlreadyExistsException',
      `The image tag '${tag}' already exists in the '${name}' repository and cannot be overwritten because the repository is immutable.`,
    ),
  imageDigestDoesNotMatch: (given: string, computed: string) =>
    new AwsError(
      'ImageDigestDoesNotMatchException',
      `Invalid parameter at 'imageDigest' failed to satisfy constraint: 'The digest '${given}' does not match the digest '${computed}' of the image manifest'`,
    ),
  layersNotFound: (digests: readonly string[], name: string, registryId: string) =>
    new AwsError(
      'LayersNotFoundException',
      `Layers with digests '[${digests.join(', ')}]' required for pushing image into repository with name '${name}' in the registry with id '${registryId}' do not exist`,
    ),
  lifecyclePolicyNotFound: (name: string, registryId: string) =>
    new AwsError(
      'LifecyclePolicyNotFoundException',
      `Lifecycle policy does not exist for the repository with name '${name}' in the registry with id '${registryId}'`,
    ),
  lifecyclePolicyPreviewNotFound: () =>
    new AwsError('LifecyclePolicyPreviewNotFoundException', 'There is no dry run for this repository.'),
  repositoryPolicyNotFound: (name: string, registryId: string) =>
    new AwsError(
      'RepositoryPolicyNotFoundException',
      `Repository policy does not exist for the repository with name '${name}' in the registry with id '${registryId}'`,
    ),
  scanNotFound: (id: { imageDigest?: string; imageTag?: string }, name: string, registryId: string) =>
    new AwsError(
      'ScanNotFoundException',
      `Image scan does not exist for the image with '${formatImageId(id)}' in the repository with name '${name}' in the registry with id '${registryId}'`,
    ),
  scanLimitExceeded: () =>
    new AwsError('LimitExceededException', 'The scan quota per image has been exceeded. Wait and try again.'),
  unsupportedImageType: () =>
    new AwsError('UnsupportedImageTypeException', 'The image is of a type that cannot be scanned.'),
} as const;
