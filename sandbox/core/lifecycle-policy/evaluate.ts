import { selects } from './tag-match.ts';
import type { LifecycleExpiry, LifecycleImage, LifecyclePolicy, LifecycleRule } from './types.ts';

const DAY_MS = 86_400_000;

/**
 * Which images a lifecycle policy expires at `nowMs`, oldest first, following AWS's
 * "Lifecycle policy evaluation rules":
 * - rules are applied from the lowest rulePriority up, and an image is expired by at most one rule;
 * - once a rule's tag selection has picked an image out, no lower-priority rule may expire it,
 *   but lower-priority rules still count it (docs' "identify them as if they haven't been expired");
 * - imageCountMoreThan keeps the newest `countNumber` selected images and expires the rest;
 * - sinceImagePushed expires selected images pushed more than `countNumber` days before `nowMs`.
 *
 * @example
 * const expiries = evaluateLifecyclePolicy(policy, images, Date.now());
 */
export function evaluateLifecyclePolicy(
  policy: LifecyclePolicy,
  images: readonly LifecycleImage[],
  nowMs: number,
): LifecycleExpiry[] {
  const byPriority = [...policy.rules].sort((a, b) => a.rulePriority - b.rulePriority);
  // Images some higher-priority rule's selection has already picked out; every expired image is among them.
  const claimed = new Set<string>();
  const expiries: LifecycleExpiry[] = [];

  for (const rule of byPriority) {
    const selected = images.filter((image) => selects(rule.selection, image.imageTags));
    for (const image of candidates(rule, selected, nowMs)) {
      if (claimed.has(image.imageDigest)) continue;
      expiries.push({
        imageDigest: image.imageDigest,
        imageTags: [...image.imageTags],
        imagePushedAt: image.imagePushedAt,
        appliedRulePriority: rule.rulePriority,
      });
    }
    for (const image of selected) claimed.add(image.imageDigest);
  }
  return expiries.sort(oldestFirst);
}

/** The selected images this rule would expire if no other rule existed. */
function candidates(rule: LifecycleRule, selected: readonly LifecycleImage[], nowMs: number): readonly LifecycleImage[] {
  const { countType, countNumber } = rule.selection;
  if (countType === 'imageCountMoreThan') return [...selected].sort(oldestFirst).reverse().slice(countNumber);
  // "Older than" the limit: an image exactly countNumber days old is kept.
  const cutoff = nowMs - countNumber * DAY_MS;
  return selected.filter((image) => image.imagePushedAt < cutoff);
}

/** Push time, then digest, so images pushed in the same millisecond still sort the same way every time. */
function oldestFirst(a: { imagePushedAt: number; imageDigest: string }, b: { imagePushedAt: number; imageDigest: string }): number {
  if (a.imagePushedAt !== b.imagePushedAt) return a.imagePushedAt - b.imagePushedAt;
  return a.imageDigest < b.imageDigest ? -1 : a.imageDigest > b.imageDigest ? 1 : 0;
}
