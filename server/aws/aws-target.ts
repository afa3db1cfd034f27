/** What a learner's shell and checkers need to reach "AWS": the embedded sandbox or the real thing. */
export interface LearnerAwsAccess {
  readonly accountId: string;
  readonly region: string;
  /** The API endpoint; undefined means real AWS's own endpoints. */
  readonly endpoint?: string;
  /** Temporary credentials (real AWS via a role or SSO profile) carry a session token and an expiry. */
  readonly credentials: {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken?: string;
    readonly expiration?: Date;
  };
  /** Docker Engine API for the learner's `docker` commands, when one is provided. */
  readonly dockerHost?: string;
  /** The learner's registry host (`{{registry}}` in labs), e.g. `123456789012.dkr.ecr.us-east-1.localhost:4580`. */
  readonly registry?: string;
}

/**
 * Hands out each learner's AWS access. The sandbox gives every learner an account of their own; real AWS
 * (`RealAwsTarget`) gives every learner the one account of the server's credential profile.
 */
export interface IAwsTarget {
  readonly kind: 'sandbox' | 'aws';
  access(learnerId: string): Promise<LearnerAwsAccess>;
}
