import type { LifecycleExpiry, LifecyclePreview, LifecyclePreviewResult } from './types.ts';

/**
 * Shapes expiries as GetLifecyclePolicyPreview's `previewResults` and `summary`, ready to serialise:
 * push times become epoch seconds (AWS JSON 1.1 timestamps) and the action is `EXPIRE`.
 *
 * @example
 * const { previewResults, summary } = toPreviewResults(evaluateLifecyclePolicy(policy, images, now));
 */
export function toPreviewResults(expiries: readonly LifecycleExpiry[]): LifecyclePreview {
  const previewResults = expiries.map(
    (e): LifecyclePreviewResult => ({
      // Untagged images carry no imageTags member, as in DescribeImages.
      ...(e.imageTags.length > 0 ? { imageTags: [...e.imageTags] } : {}),
      imageDigest: e.imageDigest,
      imagePushedAt: e.imagePushedAt / 1000,
      action: { type: 'EXPIRE' },
      appliedRulePriority: e.appliedRulePriority,
    }),
  );
  return { previewResults, summary: { expiringImageTotalCount: previewResults.length } };
}
