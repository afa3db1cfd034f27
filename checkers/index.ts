/**
 * The built-in checkers, registered explicitly by main.ts: `registry.registerAll(builtInCheckers)`.
 * Checkers are adapters: they reach ECR/ECS only through the SDK and the learner's endpoint (the sandbox
 * or real AWS alike), and never import the sandbox.
 */
import type { CheckerDefinition } from '../server/core/checks.ts';
import { dockerImage } from './docker-image/index.ts';
import { fileCheck } from './file/index.ts';
import { httpResponds } from './http-responds/index.ts';
import { shellCheck } from './shell/index.ts';
import { ecsClusterExists } from './ecs-cluster-exists/index.ts';
import { ecsServiceSteady } from './ecs-service-steady/index.ts';
import { ecsTaskDefinition } from './ecs-task-definition/index.ts';
import { ecsTaskRunning } from './ecs-task-running/index.ts';
import { ecrImagePushed } from './ecr-image-pushed/index.ts';
import { ecrLifecyclePolicy } from './ecr-lifecycle-policy/index.ts';
import { ecrReplication } from './ecr-replication/index.ts';
import { ecrRepositoryExists } from './ecr-repository-exists/index.ts';
import { ecrRepositoryTags } from './ecr-repository-tags/index.ts';
import { ecrScanComplete } from './ecr-scan-complete/index.ts';

export { nodeDeadlines } from './lib/deadline.ts';

export const builtInCheckers: readonly CheckerDefinition[] = [
  ecrRepositoryExists,
  ecrImagePushed,
  ecrRepositoryTags,
  ecrLifecyclePolicy,
  ecrReplication,
  ecrScanComplete,
  ecsClusterExists,
  ecsTaskDefinition,
  ecsTaskRunning,
  ecsServiceSteady,
  httpResponds,
  shellCheck,
  fileCheck,
  dockerImage,
];
