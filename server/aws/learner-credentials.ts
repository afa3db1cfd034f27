import { HttpError } from '../core/errors.ts';
import type { IAwsTarget, LearnerAwsAccess } from './aws-target.ts';
import { callerAccount } from './caller-identity.ts';

/** What a student types into the lab page for a lab on real AWS. */
export interface SubmittedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  region: string;
}

export interface LearnerCredentialVaultOptions {
  /** For tests: STS (and every AWS call made with these credentials) goes here instead of AWS. */
  endpoint?: string;
  /** Docker Engine API for learners' `docker` commands. */
  dockerHost?: string;
}

interface StoredCredentials {
  accountId: string;
  region: string;
  credentials: LearnerAwsAccess['credentials'];
}

// AWS's documented shapes: access key ids are 16–128 word characters (AKIA…/ASIA…); regions like eu-west-1.
const ACCESS_KEY_ID = /^[A-Z0-9]{16,128}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/**
 * Each classroom student's own AWS credentials for labs on real AWS, in this process's memory only: never
 * written to disk or a log, never sent back to a browser, gone when the server stops (the student enters them
 * again). Kept in memory rather than encrypted at rest because a key stored next to the database it protects
 * would protect nothing against whoever can read the data directory.
 */
export class LearnerCredentialVault {
  private readonly _byLearner = new Map<string, StoredCredentials>();

  constructor(private readonly _options: LearnerCredentialVaultOptions = {}) {}

  /**
   * Checks the credentials with STS GetCallerIdentity and keeps them for the learner. Rejects with an
   * `HttpError` whose message names what is wrong, never the secret.
   */
  async submit(learnerId: string, submitted: SubmittedCredentials): Promise<{ accountId: string }> {
    const accessKeyId = submitted.accessKeyId?.trim() ?? '';
    const secretAccessKey = submitted.secretAccessKey?.trim() ?? '';
    const sessionToken = submitted.sessionToken?.trim() || undefined;
    const region = submitted.region?.trim() ?? '';
    if (!ACCESS_KEY_ID.test(accessKeyId)) throw badRequest('The access key id should look like AKIA… (16 or more capital letters and digits).');
    if (secretAccessKey.length < 16 || secretAccessKey.length > 256 || /\s/.test(secretAccessKey)) throw badRequest('The secret access key looks incomplete.');
    if (sessionToken !== undefined && sessionToken.length > 4096) throw badRequest('The session token is too long.');
    if (!REGION.test(region)) throw badRequest('The region should look like us-east-1.');

    const credentials = { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
    let accountId: string;
    try {
      accountId = await callerAccount(credentials, region, this._options.endpoint);
    } catch (err) {
      // STS's own messages name no secret; they tell the student which part is wrong.
      throw new HttpError(400, `AWS refused these credentials (${(err as Error).name}): ${(err as Error).message}`, { code: 'InvalidCredentials' });
    }
    this._byLearner.set(learnerId, { accountId, region, credentials });
    return { accountId };
  }

  has(learnerId: string): boolean {
    return this._byLearner.has(learnerId);
  }

  /** Forgets a learner's credentials (they left, or were revoked). */
  forget(learnerId: string): void {
    this._byLearner.delete(learnerId);
  }

  /** The learner's access, or undefined when they have not entered credentials. */
  access(learnerId: string): LearnerAwsAccess | undefined {
    const stored = this._byLearner.get(learnerId);
    if (!stored) return undefined;
    return {
      accountId: stored.accountId,
      region: stored.region,
      ...(this._options.endpoint ? { endpoint: this._options.endpoint } : {}),
      credentials: stored.credentials,
      ...(this._options.dockerHost ? { dockerHost: this._options.dockerHost } : {}),
      registry: `${stored.accountId}.dkr.ecr.${stored.region}.amazonaws.com`,
    };
  }
}

/** The error a classroom student sees on a real-AWS lab before entering their credentials. */
export function credentialsNeededError(): HttpError {
  return new HttpError(409, 'This lab runs in your own AWS account: enter your AWS access key in the lab page to open its terminal and run its checks.', {
    code: 'AwsCredentialsNeeded',
  });
}

/**
 * Real AWS for a server with classrooms: a classroom student works in their own account (the vault), never in
 * the server's; everyone else gets the server's profile target when there is one.
 */
export class PerLearnerAwsTarget implements IAwsTarget {
  readonly kind = 'aws' as const;

  constructor(
    private readonly _vault: LearnerCredentialVault,
    /** Whose AWS work must use their own credentials (classroom students). */
    private readonly _usesOwnCredentials: (learnerId: string) => boolean,
    /** The server's own real-AWS target (`--aws-profile`), for everyone else. */
    private readonly _fallback: IAwsTarget | undefined,
    private readonly _missingFallback: () => Error,
  ) {}

  async access(learnerId: string): Promise<LearnerAwsAccess> {
    if (this._usesOwnCredentials(learnerId)) {
      const own = this._vault.access(learnerId);
      if (!own) throw credentialsNeededError();
      return own;
    }
    if (!this._fallback) throw this._missingFallback();
    return this._fallback.access(learnerId);
  }
}

function badRequest(message: string): HttpError {
  return new HttpError(400, message, { code: 'InvalidCredentials' });
}
