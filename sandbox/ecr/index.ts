/** The ECR control plane: the image model shared with the registry, and the ECR API operations. */
import type { AwsJsonService, Operation } from '../http/aws-json.ts';
import { authorizationOperations } from './authorization.ts';
import type { EcrDeps } from './context.ts';
import { imageOperations } from './images.ts';
import { repositoryOperations } from './repositories.ts';
import { repositoryPolicyOperations } from './repository-policy.ts';
import { tagOperations } from './tags.ts';

export { ImageService, type ImagePushedEvent, type PutOptions } from './image-service.ts';
export { sha256Digest } from './digest.ts';
export type { EcrDeps } from './context.ts';

/** ECR's AWS JSON 1.1 target prefix. */
export const ECR_TARGET_PREFIX = 'AmazonEC2ContainerRegistry_V20150921';

/** Builds the ECR service for the AWS JSON front door; `extra` adds operation groups wired elsewhere. */
export function createEcrService(deps: EcrDeps, extra: readonly Record<string, Operation>[] = []): AwsJsonService {
  const groups = [
    repositoryOperations(deps),
    imageOperations(deps),
    authorizationOperations(deps),
    repositoryPolicyOperations(deps),
    tagOperations(deps),
    ...extra,
  ];
  return {
    targetPrefix: ECR_TARGET_PREFIX,
    signingName: 'ecr',
    operations: new Map(groups.flatMap((g) => Object.entries(g))),
  };
}
