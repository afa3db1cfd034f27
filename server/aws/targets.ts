import { HttpError } from '../core/errors.ts';
import type { IAwsTarget } from './aws-target.ts';

/** Where a lab's AWS work goes (`environment:` in its front matter). */
export type AwsEnvironment = IAwsTarget['kind'];

/** The message a learner sees when their lab needs a target this server was not started with. */
export function missingTargetMessage(environment: AwsEnvironment): string {
  return environment === 'aws'
    ? 'This lab runs against real AWS: start labrunner serve with --aws-profile <profile> (and --aws-region <region>) to open its terminal and run its checks.'
    : 'This lab runs against the embedded AWS sandbox, but this server was started with --no-sandbox: start labrunner serve without --no-sandbox to open its terminal and run its checks.';
}

/** The error behind {@link missingTargetMessage}: expected, safe to show, code `AwsTargetMissing`. */
export function missingTargetError(environment: AwsEnvironment): HttpError {
  return new HttpError(409, missingTargetMessage(environment), { code: 'AwsTargetMissing' });
}

/**
 * The AWS targets a server has, at most one of each kind: the embedded sandbox and/or real AWS. Each lab uses
 * the one its `environment` names, never the other one in its place.
 */
export class AwsTargets {
  private readonly _byKind = new Map<AwsEnvironment, IAwsTarget>();

  constructor(targets: readonly IAwsTarget[] = []) {
    for (const t of targets) {
      if (this._byKind.has(t.kind)) throw new Error(`two AWS targets of kind '${t.kind}'`);
      this._byKind.set(t.kind, t);
    }
  }

  /** Accepts what configs hold: nothing, one target, several, or an AwsTargets already. */
  static of(aws: IAwsTarget | readonly IAwsTarget[] | AwsTargets | undefined): AwsTargets {
    if (aws instanceof AwsTargets) return aws;
    if (aws === undefined) return new AwsTargets();
    return new AwsTargets(isTargetList(aws) ? aws : [aws]);
  }

  /** The target of a lab's environment, if this server has it. */
  get(environment: AwsEnvironment): IAwsTarget | undefined {
    return this._byKind.get(environment);
  }

  /**
   * The target of a lab's environment. A lab on real AWS with no such target throws {@link missingTargetError};
   * a sandbox lab on a server without a sandbox gets undefined (its shells have no AWS settings, its AWS checks
   * report that they could not run), as before real AWS existed.
   */
  forLab(environment: AwsEnvironment): IAwsTarget | undefined {
    const target = this._byKind.get(environment);
    if (!target && environment === 'aws') throw missingTargetError('aws');
    return target;
  }

  get size(): number {
    return this._byKind.size;
  }
}

function isTargetList(aws: IAwsTarget | readonly IAwsTarget[]): aws is readonly IAwsTarget[] {
  return Array.isArray(aws);
}
