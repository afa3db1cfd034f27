import { describe, expect, it } from 'vitest';
import { closestRule, describeMismatches, mismatches, parseRules } from './rules.ts';

const rules = parseRules(
  JSON.stringify({
    rules: [
      { rulePriority: 1, selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 }, action: { type: 'expire' } },
      { rulePriority: 2, selection: { tagStatus: 'tagged', tagPrefixList: ['v', 'release'], countType: 'imageCountMoreThan', countNumber: 3 }, action: { type: 'expire' } },
    ],
  }),
)!;

describe('lifecycle rule expectations', () => {
  it('compares only the fields given; prefix lists as sets', () => {
    expect(mismatches(rules[1]!, { tagPrefixList: ['release', 'v'], action: 'expire' })).toEqual([]);
    expect(mismatches(rules[1]!, { tagPrefixList: ['v'] })).toEqual([{ field: 'tagPrefixList', actual: ['v', 'release'], expected: ['v'] }]);
    expect(mismatches(rules[0]!, { countUnit: 'days', rulePriority: 1 })).toEqual([]);
  });

  it('finds the closest rule and words the differences', () => {
    const c = closestRule(rules, { tagStatus: 'tagged', countNumber: 5, countType: 'imageCountMoreThan' })!;
    expect(c.rule.rulePriority).toBe(2);
    expect(describeMismatches(c.mismatches)).toBe('countNumber is 3, the lab expects 5');
    expect(describeMismatches(mismatches(rules[0]!, { tagPrefixList: ['v'] }))).toBe('tagPrefixList is not set, the lab expects ["v"]');
  });

  it('rejects text that is not a policy document', () => {
    expect(parseRules('not json')).toBeUndefined();
    expect(parseRules('{"rulez":[]}')).toBeUndefined();
  });
});
