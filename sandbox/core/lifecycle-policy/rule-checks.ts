/**
 * The half of ECR's lifecycle-policy validation that a JSON schema can't express:
 * how tag filters fit tagStatus, wildcard limits, and the rules that relate rules to
 * each other (AWS "Lifecycle policy properties" and "Lifecycle policy evaluation rules").
 */
import { rules as text } from './messages.ts';
import type { LifecyclePolicy, LifecycleRule } from './types.ts';

/** Most `*` wildcards one tagPatternList entry may hold. */
export const MAX_WILDCARDS = 4;

/** Returns the detail text of the first rule violation, or undefined when the policy is acceptable. */
export function checkRules(policy: LifecyclePolicy): string | undefined {
  for (const rule of policy.rules) {
    const problem = checkTagFilter(rule);
    if (problem !== undefined) return problem;
  }
  return checkDuplicatePriorities(policy) ?? checkAnyIsLast(policy) ?? checkOneUntagged(policy) ?? checkUniqueTagSets(policy);
}

function checkTagFilter(rule: LifecycleRule): string | undefined {
  const { rulePriority: priority, selection } = rule;
  const { tagStatus, tagPrefixList, tagPatternList } = selection;
  if (tagStatus !== 'tagged') {
    if (tagPrefixList !== undefined) return text.listNotAllowed(priority, tagStatus, 'tagPrefixList');
    if (tagPatternList !== undefined) return text.listNotAllowed(priority, tagStatus, 'tagPatternList');
    return undefined;
  }
  if (tagPrefixList !== undefined && tagPatternList !== undefined) return text.bothLists(priority);
  // An empty list filters nothing, so it counts as no list at all.
  if ((tagPrefixList ?? tagPatternList ?? []).length === 0) return text.taggedNeedsList();
  for (const pattern of tagPatternList ?? []) {
    const wildcards = pattern.split('*').length - 1;
    if (wildcards > MAX_WILDCARDS) return text.tooManyWildcards(priority, pattern, wildcards);
  }
  return undefined;
}

function checkDuplicatePriorities(policy: LifecyclePolicy): string | undefined {
  const seen = new Set<number>();
  for (const { rulePriority } of policy.rules) {
    if (seen.has(rulePriority)) return text.duplicatePriority(rulePriority);
    seen.add(rulePriority);
  }
  return undefined;
}

/** A rule selecting every image must be applied last, so two such rules can never both be valid. */
function checkAnyIsLast(policy: LifecyclePolicy): string | undefined {
  const highest = Math.max(...policy.rules.map((r) => r.rulePriority));
  const anyRules = policy.rules.filter((r) => r.selection.tagStatus === 'any');
  if (anyRules.length > 1 || anyRules.some((r) => r.rulePriority !== highest)) return text.anyLast();
  return undefined;
}

/** "Only one rule is allowed to select untagged images": an `any` rule doesn't count (docs' combined example). */
function checkOneUntagged(policy: LifecyclePolicy): string | undefined {
  const untagged = policy.rules.filter((r) => r.selection.tagStatus === 'untagged');
  return untagged.length > 1 ? text.oneUntagged() : undefined;
}

/**
 * "The set of rules must contain a unique set of tag prefixes." We read this narrowly: two rules
 * may not filter on exactly the same set, since the lower-priority one could then never expire anything.
 */
function checkUniqueTagSets(policy: LifecyclePolicy): string | undefined {
  const seen = new Map<string, number>();
  for (const rule of policy.rules) {
    const { tagPrefixList, tagPatternList } = rule.selection;
    const field = tagPrefixList !== undefined ? 'tagPrefixList' : tagPatternList !== undefined ? 'tagPatternList' : undefined;
    if (field === undefined) continue;
    const key = `${field}:${JSON.stringify([...new Set(tagPrefixList ?? tagPatternList)].sort())}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) return text.sameTags(earlier, rule.rulePriority, field);
    seen.set(key, rule.rulePriority);
  }
  return undefined;
}
