/** Reaching AWS, or the embedded sandbox exactly as one reaches AWS. */
export type { IAwsTarget, LearnerAwsAccess } from './aws-target.ts';
export { EmbeddedSandbox, type EmbeddedSandboxOptions } from './embedded-sandbox.ts';
export { RealAwsTarget, type RealAwsOptions } from './real-aws.ts';
export { AwsTargets, missingTargetError, missingTargetMessage, type AwsEnvironment } from './targets.ts';
export { awsShellVariables, writeAwsWrapper, REAL_AWS_CLI } from './shell-env.ts';
export { LearnerCredentialVault, PerLearnerAwsTarget, credentialsNeededError, type SubmittedCredentials } from './learner-credentials.ts';
