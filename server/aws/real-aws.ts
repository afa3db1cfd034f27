import type { AwsCredentialIdentity } from '@aws-sdk/types';
import type { IAwsTarget, LearnerAwsAccess } from './aws-target.ts';
import { callerAccount } from './caller-identity.ts';

export interface RealAwsOptions {
  /** The credential profile (as in ~/.aws/credentials and ~/.aws/config, or AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE). */
  profile: string;
  /** Default: the profile's own region (the SDK's resolution), else us-east-1. */
  region?: string;
  /**
   * Sends every API call (the server's checks and the learners' CLI, through the aws wrapper) to this endpoint
   * instead of AWS's own. For testing: point it at the sandbox. Undefined means real AWS.
   */
  endpoint?: string;
  /** Docker Engine API for learners' `docker` commands (e.g. the sandbox's podman service). */
  dockerHost?: string;
}

/** Temporary credentials are renewed this long before they expire. */
const REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;

/**
 * Real AWS as a target: one account, from one credential profile, which every learner of this server shares
 * (labrunner's local mode has one learner: whoever started it). The profile is resolved by the SDK's own
 * provider (`fromIni`: static keys, `source_profile`/`role_arn`, SSO, `credential_process`…), the account by
 * STS GetCallerIdentity, and the registry is ECR's `<account>.dkr.ecr.<region>.amazonaws.com`. Secrets are
 * only ever handed to the learner's shell and to the SDK clients of checks, never logged.
 */
export class RealAwsTarget implements IAwsTarget {
  readonly kind = 'aws' as const;
  private _current: Promise<AwsCredentialIdentity>;

  private constructor(
    readonly profile: string,
    readonly accountId: string,
    readonly region: string,
    readonly endpoint: string | undefined,
    private readonly _dockerHost: string | undefined,
    private readonly _provider: () => Promise<AwsCredentialIdentity>,
    first: AwsCredentialIdentity,
  ) {
    this._current = Promise.resolve(first);
  }

  /** Resolves the profile's credentials and account; rejects with a message fit for the operator (no secrets). */
  static async fromProfile(opts: RealAwsOptions): Promise<RealAwsTarget> {
    // The SDK's files: ~/.aws/credentials and ~/.aws/config, or AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE.
    // Loaded here, not at start: the SDK is ~20 MiB a server without --aws-profile never needs.
    const { fromIni } = await import('@aws-sdk/credential-providers');
    const provider = fromIni({ profile: opts.profile, ignoreCache: true });
    const region = opts.region ?? (await profileRegion(opts.profile)) ?? 'us-east-1';
    let credentials: AwsCredentialIdentity;
    try {
      credentials = await provider();
    } catch (err) {
      throw new Error(`the AWS profile '${opts.profile}' gives no credentials: ${(err as Error).message}`);
    }
    let accountId: string;
    try {
      accountId = await callerAccount(credentials, region, opts.endpoint);
    } catch (err) {
      const e = err as Error;
      throw new Error(`the AWS profile '${opts.profile}' was refused by STS GetCallerIdentity (${e.name}): ${e.message}`);
    }
    return new RealAwsTarget(opts.profile, accountId, region, opts.endpoint, opts.dockerHost, provider, credentials);
  }

  /** `<account>.dkr.ecr.<region>.amazonaws.com`, what `{{registry}}` is in labs on real AWS. */
  get registry(): string {
    return `${this.accountId}.dkr.ecr.${this.region}.amazonaws.com`;
  }

  /** The same account for every learner: the profile's. */
  async access(_learnerId: string): Promise<LearnerAwsAccess> {
    const c = await this._credentials();
    return {
      accountId: this.accountId,
      region: this.region,
      ...(this.endpoint ? { endpoint: this.endpoint } : {}),
      credentials: {
        accessKeyId: c.accessKeyId,
        secretAccessKey: c.secretAccessKey,
        ...(c.sessionToken ? { sessionToken: c.sessionToken } : {}),
        ...(c.expiration ? { expiration: c.expiration } : {}),
      },
      ...(this._dockerHost ? { dockerHost: this._dockerHost } : {}),
      registry: this.registry,
    };
  }

  /** The profile's credentials, renewed shortly before temporary ones expire. */
  private async _credentials(): Promise<AwsCredentialIdentity> {
    const current = await this._current;
    if (!current.expiration || current.expiration.getTime() - Date.now() > REFRESH_BEFORE_EXPIRY_MS) return current;
    const renewed = this._provider();
    // A failed renewal is retried on the next call; until then the old credentials are all there is.
    this._current = renewed.catch(() => current);
    return this._current;
  }
}

/** The profile's `region` as the SDK resolves it, or undefined when it has none. */
async function profileRegion(profile: string): Promise<string | undefined> {
  // The SDK's own region resolution (AWS_REGION, then the profile's `region`); it needs no credentials.
  const { STSClient } = await import('@aws-sdk/client-sts');
  const probe = new STSClient({ profile });
  try {
    return await probe.config.region();
  } catch {
    return undefined;
  } finally {
    probe.destroy();
  }
}
