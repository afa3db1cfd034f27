/** Row types of the metadata store, as the ECR code sees them (times in epoch milliseconds). */

/** An account and the credentials that belong to it. */
export interface AccountRow {
  readonly learnerId: string;
  readonly accountId: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly createdAt: number;
}

/** A repository with its settings and policies. */
export interface RepositoryRow {
  readonly id: number;
  readonly accountId: string;
  readonly region: string;
  readonly name: string;
  readonly createdAt: number;
  readonly tagMutability: 'MUTABLE' | 'IMMUTABLE';
  readonly scanOnPush: boolean;
  readonly encryptionType: 'AES256' | 'KMS';
  readonly kmsKey: string | null;
  readonly policyText: string | null;
  readonly lifecyclePolicyText: string | null;
  readonly lifecycleEvaluatedAt: number | null;
}

/** Scan states an image goes through (basic scanning). */
export type ScanStatus = 'IN_PROGRESS' | 'COMPLETE' | 'FAILED' | 'UNSUPPORTED_IMAGE';

/** An image (one manifest) in a repository; its tags live in image_tags. */
export interface ImageRow {
  readonly repositoryId: number;
  readonly digest: string;
  readonly mediaType: string;
  readonly artifactMediaType: string | null;
  readonly manifest: Uint8Array;
  readonly size: number;
  readonly pushedAt: number;
  readonly scanStatus: ScanStatus | null;
  readonly scanDescription: string | null;
  readonly scanStartedAt: number | null;
  readonly scanCompletedAt: number | null;
  /** JSON of ScanFinding[] when COMPLETE. */
  readonly scanFindings: string | null;
  readonly vulnerabilitySourceUpdatedAt: number | null;
}

/** An image row as listings read it: everything but the manifest. */
export type ImageSummaryRow = Omit<ImageRow, 'manifest'>;

/** A stored lifecycle-policy dry run. */
export interface LifecyclePreviewRow {
  readonly repositoryId: number;
  readonly policyText: string;
  readonly status: 'IN_PROGRESS' | 'COMPLETE' | 'FAILED';
  /** JSON of the expiries, see ecr/lifecycle. */
  readonly results: string;
}
