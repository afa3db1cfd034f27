/**
 * The AWS SDK's ECR and ECS modules, loaded on a checker's first AWS call rather than when `serve` starts:
 * together ~20 MiB of resident memory that a server whose learners have not checked anything yet (or that has
 * only terminals open) should not carry (docs/benchmarks.md, Terminal). Import types statically; values here.
 */
import type * as Ecr from '@aws-sdk/client-ecr';
import type * as Ecs from '@aws-sdk/client-ecs';

let ecr: Promise<typeof Ecr> | undefined;
let ecs: Promise<typeof Ecs> | undefined;

export const ecrSdk = (): Promise<typeof Ecr> => (ecr ??= import('@aws-sdk/client-ecr'));
export const ecsSdk = (): Promise<typeof Ecs> => (ecs ??= import('@aws-sdk/client-ecs'));
