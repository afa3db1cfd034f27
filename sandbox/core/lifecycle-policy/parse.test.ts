import { describe, expect, it } from 'vitest';
import { parseLifecyclePolicy } from './index.ts';

const PREFIX = "Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: ";

type Json = Record<string, unknown>;

const anyRule = (rulePriority: number, countNumber = 1): Json => ({
  rulePriority,
  selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber },
  action: { type: 'expire' },
});
const untaggedRule = (rulePriority: number): Json => ({
  rulePriority,
  selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 },
  action: { type: 'expire' },
});
const taggedRule = (rulePriority: number, filter: Json): Json => ({
  rulePriority,
  selection: { tagStatus: 'tagged', ...filter, countType: 'imageCountMoreThan', countNumber: 3 },
  action: { type: 'expire' },
});
const withSelection = (selection: Json): Json => ({ rulePriority: 1, selection, action: { type: 'expire' } });

/** Policy text as a learner would send it; padded with whitespace (still valid JSON) past the 100-character minimum. */
function policyText(doc: unknown): string {
  return JSON.stringify(doc).padEnd(120, ' ');
}

function rejection(doc: unknown): string {
  const parsed = parseLifecyclePolicy(policyText(doc));
  if (parsed.ok) throw new Error('expected the policy to be rejected');
  return parsed.message;
}

describe('parseLifecyclePolicy: accepted policies', () => {
  it('accepts the documentation examples and keeps their rules in written order', () => {
    const parsed = parseLifecyclePolicy(
      JSON.stringify({
        rules: [
          { rulePriority: 1, description: 'Rule 1', ...taggedRule(1, { tagPrefixList: ['alpha'] }) },
          untaggedRule(2),
          anyRule(3),
        ],
      }),
    );
    expect(parsed).toEqual({
      ok: true,
      policy: {
        rules: [
          {
            rulePriority: 1,
            description: 'Rule 1',
            selection: { tagStatus: 'tagged', tagPrefixList: ['alpha'], countType: 'imageCountMoreThan', countNumber: 3 },
            action: { type: 'expire' },
          },
          {
            rulePriority: 2,
            selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 },
            action: { type: 'expire' },
          },
          { rulePriority: 3, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' } },
        ],
      },
    });
  });

  it('accepts up to four wildcards per pattern, as in the docs\' valid example', () => {
    expect(parseLifecyclePolicy(policyText({ rules: [taggedRule(1, { tagPatternList: ['*test*1*2*3', 'test*1*2*3*'] })] })).ok).toBe(true);
  });

  it('accepts non-sequential priorities and an explicit standard storage class', () => {
    const rule = { ...anyRule(30), selection: { tagStatus: 'any', storageClass: 'standard', countType: 'imageCountMoreThan', countNumber: 1 } };
    expect(parseLifecyclePolicy(policyText({ rules: [taggedRule(10, { tagPrefixList: ['v'] }), rule] })).ok).toBe(true);
  });
});

describe('parseLifecyclePolicy: text and JSON', () => {
  it('rejects text shorter than 100 characters with the API length constraint', () => {
    expect(parseLifecyclePolicy('{"rules":[]}')).toEqual({
      ok: false,
      message: "Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Member must have length greater than or equal to 100'",
    });
  });

  it('rejects text longer than 30,720 characters', () => {
    const long = JSON.stringify({ rules: [{ ...anyRule(1), description: 'x'.repeat(30_720) }] });
    expect(parseLifecyclePolicy(long)).toEqual({
      ok: false,
      message: "Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Member must have length less than or equal to 30720'",
    });
  });

  it('rejects text that is not JSON', () => {
    const text = policyText({ rules: [anyRule(1)] }).replace('"rulePriority":1,', '"rulePriority":1');
    expect(parseLifecyclePolicy(text)).toEqual({ ok: false, message: `${PREFIX}Could not map policyString into LifecyclePolicy.'` });
  });

  it('rejects JSON whose top level is not an object', () => {
    expect(rejection([anyRule(1)])).toBe(`${PREFIX}Could not map policyString into LifecyclePolicy.'`);
  });
});

describe('parseLifecyclePolicy: structure', () => {
  it.each([
    ['no rules member', { Rules: [anyRule(1)] }, 'object has missing required properties (["rules"])'],
    ['an empty rules array', { rules: [] }, 'array is too short: must have at least 1 elements but instance has 0 elements'],
    ['rules given as an object', { rules: anyRule(1) }, 'instance type (object) does not match any allowed primitive type (allowed: ["array"])'],
    ['an unknown top-level member', { rules: [anyRule(1)], version: 1 }, 'object instance has properties which are not allowed by the schema: ["version"]'],
    ['a rule that is a string', { rules: ['keep 5'] }, 'instance type (string) does not match any allowed primitive type (allowed: ["object"])'],
    ['a rule without rulePriority or action', { rules: [{ selection: anyRule(1)['selection'] }] }, 'object has missing required properties (["action","rulePriority"])'],
    ['an unknown rule member', { rules: [{ ...anyRule(1), priority: 1 }] }, 'object instance has properties which are not allowed by the schema: ["priority"]'],
    ['rulePriority 0', { rules: [anyRule(0)] }, 'numeric instance is lower than the required minimum (minimum: 1, found: 0)'],
    ['rulePriority as a string', { rules: [{ ...anyRule(1), rulePriority: '1' }] }, 'instance type (string) does not match any allowed primitive type (allowed: ["integer"])'],
    ['a fractional rulePriority', { rules: [{ ...anyRule(1), rulePriority: 1.5 }] }, 'instance type (number) does not match any allowed primitive type (allowed: ["integer"])'],
    ['a numeric description', { rules: [{ ...anyRule(1), description: 7 }] }, 'instance type (integer) does not match any allowed primitive type (allowed: ["string"])'],
  ])('rejects %s', (_, doc, detail) => {
    expect(rejection(doc)).toBe(`${PREFIX}${detail}'`);
  });
});

describe('parseLifecyclePolicy: selection and action', () => {
  it.each([
    ['a misspelt tagStatus', { tagStatus: 'Tagged', tagPrefixList: ['v'], countType: 'imageCountMoreThan', countNumber: 1 },
      'instance value ("Tagged") not found in enum (possible values: ["any","tagged","untagged"])'],
    ['a selection without countNumber', { tagStatus: 'any', countType: 'imageCountMoreThan' }, 'object has missing required properties (["countNumber"])'],
    ['an unknown selection member', { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1, tagList: ['v'] },
      'object instance has properties which are not allowed by the schema: ["tagList"]'],
    ['countUnit with imageCountMoreThan', { tagStatus: 'any', countType: 'imageCountMoreThan', countUnit: 'days', countNumber: 5 },
      'instance failed to match exactly one schema (matched 0 out of 2)'],
    ['a null countUnit (what Terraform renders for an unset one)', { tagStatus: 'any', countType: 'imageCountMoreThan', countUnit: null, countNumber: 5 },
      'instance failed to match exactly one schema (matched 0 out of 2)'],
    ['sinceImagePushed without countUnit', { tagStatus: 'any', countType: 'sinceImagePushed', countNumber: 14 },
      'instance failed to match exactly one schema (matched 0 out of 2)'],
    ['an unknown countType', { tagStatus: 'any', countType: 'imageCountLessThan', countNumber: 5 },
      'instance failed to match exactly one schema (matched 0 out of 2)'],
    ['a countUnit other than days', { tagStatus: 'any', countType: 'sinceImagePushed', countUnit: 'weeks', countNumber: 2 },
      'instance value ("weeks") not found in enum (possible values: ["days"])'],
    ['countNumber 0', { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 0 },
      'numeric instance is lower than the required minimum (minimum: 1, found: 0)'],
    ['a negative countNumber', { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: -1 },
      'numeric instance is lower than the required minimum (minimum: 1, found: -1)'],
    ['countNumber as a string', { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: '5' },
      'instance type (string) does not match any allowed primitive type (allowed: ["integer"])'],
    ['a null tagPatternList', { tagStatus: 'tagged', tagPatternList: null, countType: 'imageCountMoreThan', countNumber: 5 },
      'instance type (null) does not match any allowed primitive type (allowed: ["array"])'],
    ['a tagPrefixList given as a string', { tagStatus: 'tagged', tagPrefixList: 'prod', countType: 'imageCountMoreThan', countNumber: 5 },
      'instance type (string) does not match any allowed primitive type (allowed: ["array"])'],
  ])('rejects %s', (_, selection, detail) => {
    expect(rejection({ rules: [withSelection(selection)] })).toBe(`${PREFIX}${detail}'`);
  });

  it('rejects an action other than expire', () => {
    const rule = { ...anyRule(1), action: { type: 'delete' } };
    expect(rejection({ rules: [rule] })).toBe(`${PREFIX}instance value ("delete") not found in enum (possible values: ["expire"])'`);
  });

  it('rejects an action without a type', () => {
    expect(rejection({ rules: [{ ...anyRule(1), action: {} }] })).toBe(`${PREFIX}object has missing required properties (["type"])'`);
  });

  it.each([
    ['transition actions', { ...anyRule(2), action: { type: 'transition', targetStorageClass: 'archive' } }, 'action type transition'],
    ['sinceImagePulled', withSelection({ tagStatus: 'any', countType: 'sinceImagePulled', countUnit: 'days', countNumber: 90 }), 'countType sinceImagePulled'],
    ['archive storage', withSelection({ tagStatus: 'any', storageClass: 'archive', countType: 'sinceImageTransitioned', countUnit: 'days', countNumber: 90 }), 'storageClass "archive"'],
  ])('says plainly that %s are not supported by the sandbox', (_, rule, what) => {
    expect(rejection({ rules: [rule] })).toContain(`${what} in rule with rulePriority ${rule['rulePriority']} is not supported by the labrunner sandbox`);
  });
});

describe('parseLifecyclePolicy: tag filters', () => {
  it('rejects a tagged rule without tagPrefixList or tagPatternList', () => {
    expect(rejection({ rules: [taggedRule(1, {})] })).toBe(`${PREFIX}Must specify tagPrefixList or tagPatternList when tagStatus=TAGGED.'`);
  });

  it('rejects a tagged rule whose only list is empty', () => {
    expect(rejection({ rules: [taggedRule(1, { tagPrefixList: [] })] })).toBe(`${PREFIX}Must specify tagPrefixList or tagPatternList when tagStatus=TAGGED.'`);
  });

  it('rejects a rule with both tagPrefixList and tagPatternList', () => {
    expect(rejection({ rules: [taggedRule(4, { tagPrefixList: ['v'], tagPatternList: ['v*'] })] })).toBe(
      `${PREFIX}Rule with rulePriority 4 cannot specify both tagPrefixList and tagPatternList.'`,
    );
  });

  it('rejects a tag filter on an untagged rule', () => {
    const rule = { ...untaggedRule(2), selection: { ...(untaggedRule(2)['selection'] as Json), tagPrefixList: ['v'] } };
    expect(rejection({ rules: [rule] })).toBe(
      `${PREFIX}Rule with rulePriority 2 has tagStatus=UNTAGGED and must not specify tagPrefixList; it is only allowed when tagStatus=TAGGED.'`,
    );
  });

  it('rejects a tag filter on an any rule, even an empty one', () => {
    const rule = withSelection({ tagStatus: 'any', tagPatternList: [], countType: 'imageCountMoreThan', countNumber: 10 });
    expect(rejection({ rules: [rule] })).toBe(
      `${PREFIX}Rule with rulePriority 1 has tagStatus=ANY and must not specify tagPatternList; it is only allowed when tagStatus=TAGGED.'`,
    );
  });

  it('rejects a pattern with five wildcards', () => {
    expect(rejection({ rules: [taggedRule(1, { tagPatternList: ['prod', 'a*b*c*d*e*'] })] })).toBe(
      `${PREFIX}tagPatternList entry 'a*b*c*d*e*' in rule with rulePriority 1 has 5 wildcards (*); the maximum is 4.'`,
    );
  });

  it('rejects the docs\' invalid six-wildcard example', () => {
    expect(rejection({ rules: [taggedRule(1, { tagPatternList: ['test*1*2*3*4*5*6'] })] })).toContain('has 6 wildcards (*); the maximum is 4.');
  });
});

describe('parseLifecyclePolicy: rules together', () => {
  it('rejects two rules with the same priority', () => {
    expect(rejection({ rules: [taggedRule(1, { tagPrefixList: ['v'] }), untaggedRule(1)] })).toBe(
      `${PREFIX}Rule priorities must be unique; rulePriority 1 is used by more than one rule.'`,
    );
  });

  it('rejects an any rule that is not applied last', () => {
    expect(rejection({ rules: [anyRule(1), untaggedRule(2)] })).toBe(`${PREFIX}Rule for tagStatus=ANY must have the lowest priority per storage class.'`);
  });

  it('rejects two any rules', () => {
    expect(rejection({ rules: [anyRule(1, 5), anyRule(2, 1)] })).toBe(`${PREFIX}Rule for tagStatus=ANY must have the lowest priority per storage class.'`);
  });

  it('rejects two rules selecting untagged images', () => {
    expect(rejection({ rules: [untaggedRule(1), { ...untaggedRule(2), selection: { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 1 } }] }))
      .toBe(`${PREFIX}Only one rule can select Untagged images per storage class.'`);
  });

  it('rejects two rules filtering on the same prefixes, in any order', () => {
    expect(rejection({ rules: [taggedRule(1, { tagPrefixList: ['a', 'b'] }), taggedRule(2, { tagPrefixList: ['b', 'a'] })] })).toBe(
      `${PREFIX}Rules with rulePriority 1 and 2 select the same tagPrefixList; each rule must select a unique set of tags.'`,
    );
  });

  it('allows the same strings as a prefix list in one rule and a pattern list in another', () => {
    expect(parseLifecyclePolicy(policyText({ rules: [taggedRule(1, { tagPrefixList: ['v'] }), taggedRule(2, { tagPatternList: ['v'] })] })).ok).toBe(true);
  });
});
