import type { TaskDefinition } from '@aws-sdk/client-ecs';
import { ecsSdk } from '../lib/sdk.ts';
import { z } from 'zod';
import { fail, pass } from '../../server/core/checks.ts';
import { unlessAwsError } from '../lib/aws-errors.ts';
import { sendOptions, type AwsChecker } from '../lib/ecr.ts';
import { repositoryOfImage } from '../lib/ecs.ts';
import { nearMisses } from '../lib/near-miss.ts';
import { zodParams } from '../lib/params.ts';

const Params = z.strictObject({
  /** The task definition family (its latest ACTIVE revision is checked). */
  family: z.string().min(1),
  /** Some container must use an image from this ECR repository of the learner. */
  repository: z.string().min(1).optional(),
  /** Some container must publish this container port. */
  containerPort: z.number().int().min(1).max(65535).optional(),
  networkMode: z.enum(['awsvpc', 'bridge', 'host', 'none']).optional(),
  /** E.g. `FARGATE`: must be among requiresCompatibilities. */
  compatibility: z.enum(['EC2', 'FARGATE', 'EXTERNAL']).optional(),
  region: z.string().min(1).optional(),
});
type Params = z.output<typeof Params>;

/** A registered task definition with the image, port and launch settings the lab asks for. */
export const ecsTaskDefinition: AwsChecker<Params> = {
  id: 'ecs.task-definition',
  description: 'A task definition is registered with the expected image repository, port and launch settings',
  params: zodParams(Params),
  async run(p, ctx) {
    const region = p.region ?? ctx.aws.region;
    const ecs = ctx.aws.inRegion(region).ecs;
    const out = await unlessAwsError(ecs.send(new (await ecsSdk()).DescribeTaskDefinitionCommand({ taskDefinition: p.family }), sendOptions(ctx)), 'ClientException');
    const td: TaskDefinition | undefined = out?.taskDefinition;
    if (!td) {
      const families = (await ecs.send(new (await ecsSdk()).ListTaskDefinitionFamiliesCommand({ status: 'ACTIVE' }), sendOptions(ctx))).families ?? [];
      const near = nearMisses(p.family, families);
      return fail(
        `There is no task definition '${p.family}' in ${region}.`,
        near.length > 0
          ? `You registered '${near[0]}'; this lab asks for '${p.family}'. Register it with "family": "${p.family}": aws ecs register-task-definition --cli-input-json file://taskdef.json`
          : `Register it: aws ecs register-task-definition --cli-input-json file://taskdef.json (with "family": "${p.family}")`,
        { family: p.family, families: families.slice(0, 20) },
      );
    }
    const containers = td.containerDefinitions ?? [];
    const images = containers.map((c) => c.image ?? '');
    const evidence = { family: p.family, revision: td.revision, images, networkMode: td.networkMode, requiresCompatibilities: td.requiresCompatibilities };
    const register = `Register a new revision: aws ecs register-task-definition --cli-input-json file://taskdef.json`;
    if (p.repository !== undefined && !images.some((i) => repositoryOfImage(i) === p.repository)) {
      const used = images[0] ?? '(none)';
      return fail(
        `'${p.family}:${td.revision}' does not use an image from '${p.repository}'.`,
        `It uses ${used} (repository '${repositoryOfImage(used)}'); this lab asks for the image you pushed to '${p.repository}'. Put its URI in "image". ${register}`,
        evidence,
      );
    }
    if (p.containerPort !== undefined && !containers.some((c) => c.portMappings?.some((m) => m.containerPort === p.containerPort))) {
      return fail(`'${p.family}:${td.revision}' does not map container port ${p.containerPort}.`, `Add "portMappings": [{"containerPort": ${p.containerPort}}] to the container. ${register}`, evidence);
    }
    if (p.networkMode !== undefined && (td.networkMode ?? 'bridge') !== p.networkMode) {
      return fail(`'${p.family}:${td.revision}' uses network mode ${td.networkMode ?? 'bridge'}, not ${p.networkMode}.`, `Set "networkMode": "${p.networkMode}". ${register}`, evidence);
    }
    if (p.compatibility !== undefined && !(td.requiresCompatibilities ?? []).includes(p.compatibility)) {
      return fail(`'${p.family}:${td.revision}' does not require ${p.compatibility} compatibility.`, `Set "requiresCompatibilities": ["${p.compatibility}"]. ${register}`, evidence);
    }
    return pass(`Task definition '${p.family}:${td.revision}' is registered as the lab asks.`, evidence);
  },
};
