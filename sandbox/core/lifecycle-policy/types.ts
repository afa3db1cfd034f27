/**
 * The shapes a lifecycle policy takes once parsed, and what evaluating it produces.
 * Field names mirror the policy JSON (AWS "Lifecycle policy properties"), so a parsed
 * policy reads like the text the learner wrote.
 */

/** Which images a rule looks at, before counting. */
export type LifecycleTagStatus = 'tagged' | 'untagged' | 'any';

/** How a rule decides which of its selected images expire. */
export type LifecycleCountType = 'imageCountMoreThan' | 'sinceImagePushed';

/** The `selection` block of one rule, validated. */
export interface LifecycleSelection {
  readonly tagStatus: LifecycleTagStatus;
  /** Only with tagStatus `tagged`, and never together with `tagPatternList`. */
  readonly tagPrefixList?: readonly string[];
  /** Only with tagStatus `tagged`, and never together with `tagPrefixList`; at most 4 `*` per entry. */
  readonly tagPatternList?: readonly string[];
  readonly countType: LifecycleCountType;
  /** Present exactly when countType is `sinceImagePushed`. */
  readonly countUnit?: 'days';
  /** A positive integer: images to keep, or the maximum age in days. */
  readonly countNumber: number;
}

/** One rule of a lifecycle policy, validated. */
export interface LifecycleRule {
  /** Unique within the policy; lower numbers are applied first. */
  readonly rulePriority: number;
  readonly description?: string;
  readonly selection: LifecycleSelection;
  readonly action: { readonly type: 'expire' };
}

/** A lifecycle policy that passed {@link parseLifecyclePolicy}'s validation; rules keep their written order. */
export interface LifecyclePolicy {
  readonly rules: readonly LifecycleRule[];
}

/** The outcome of parsing policy text: the policy, or the message AWS's InvalidParameterException carries. */
export type ParseLifecyclePolicyResult =
  | { readonly ok: true; readonly policy: LifecyclePolicy }
  | { readonly ok: false; readonly message: string };

/** An image in the repository, as the evaluator sees it. */
export interface LifecycleImage {
  readonly imageDigest: string;
  /** Empty for an untagged image. */
  readonly imageTags: readonly string[];
  /** Push time, epoch milliseconds. */
  readonly imagePushedAt: number;
}

/** An image the policy expires, and the rule that expires it. */
export interface LifecycleExpiry {
  readonly imageDigest: string;
  readonly imageTags: readonly string[];
  /** Push time, epoch milliseconds. */
  readonly imagePushedAt: number;
  readonly appliedRulePriority: number;
}

/** One entry of GetLifecyclePolicyPreview's `previewResults`, as it goes on the wire. */
export interface LifecyclePreviewResult {
  /** Omitted for untagged images, as DescribeImages omits it. */
  readonly imageTags?: readonly string[];
  readonly imageDigest: string;
  /** Epoch seconds (AWS JSON 1.1 timestamps), fractional when the push time had milliseconds. */
  readonly imagePushedAt: number;
  readonly action: { readonly type: 'EXPIRE' };
  readonly appliedRulePriority: number;
}

/** The `previewResults` and `summary` members of a GetLifecyclePolicyPreview response. */
export interface LifecyclePreview {
  readonly previewResults: readonly LifecyclePreviewResult[];
  readonly summary: { readonly expiringImageTotalCount: number };
}
