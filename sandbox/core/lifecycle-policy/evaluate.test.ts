import { describe, expect, it } from 'vitest';
import { evaluateLifecyclePolicy, parseLifecyclePolicy } from './index.ts';
import type { LifecycleImage, LifecyclePolicy } from './index.ts';

const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** An image named by a letter, as the docs' examples name them; its digest sorts like the letter. */
function image(name: string, imageTags: string[], ageMs: number): LifecycleImage {
  return { imageDigest: `sha256:${name}`, imageTags, imagePushedAt: NOW - ageMs };
}

/** Rules written exactly as in AWS's "Examples of lifecycle policies", through the real parser. */
function policy(...rules: object[]): LifecyclePolicy {
  const parsed = parseLifecyclePolicy(JSON.stringify({ rules }).padEnd(100));
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.policy;
}

function rule(rulePriority: number, selection: object): object {
  return { rulePriority, description: `Rule ${rulePriority}`, selection, action: { type: 'expire' } };
}

/** Image names and the rule that expires each, in result order. */
function expired(p: LifecyclePolicy, images: LifecycleImage[], now = NOW): string[] {
  return evaluateLifecyclePolicy(p, images, now).map((e) => `${e.imageDigest.slice('sha256:'.length)}@${e.appliedRulePriority}`);
}

describe('evaluateLifecyclePolicy: AWS "Filtering on multiple rules"', () => {
  const repo = [
    image('A', ['beta-1', 'prod-1'], 10 * DAY),
    image('B', ['beta-2', 'prod-2'], 9 * DAY),
    image('C', ['beta-3'], 8 * DAY),
  ];

  it('Example A (prod, then beta): only A expires, because B was already seen by the prod rule', () => {
    const p = policy(
      rule(1, { tagStatus: 'tagged', tagPrefixList: ['prod'], countType: 'imageCountMoreThan', countNumber: 1 }),
      rule(2, { tagStatus: 'tagged', tagPrefixList: ['beta'], countType: 'imageCountMoreThan', countNumber: 1 }),
    );
    expect(expired(p, repo)).toEqual(['A@1']);
  });

  it('Example A written with tagPatternList (the current docs\' version) gives the same answer', () => {
    const p = policy(
      rule(1, { tagStatus: 'tagged', tagPatternList: ['prod*'], countType: 'imageCountMoreThan', countNumber: 1 }),
      rule(2, { tagStatus: 'tagged', tagPatternList: ['beta*'], countType: 'imageCountMoreThan', countNumber: 1 }),
    );
    expect(expired(p, repo)).toEqual(['A@1']);
  });

  it('Example B (beta, then prod): A and B expire, both by the beta rule', () => {
    const p = policy(
      rule(1, { tagStatus: 'tagged', tagPrefixList: ['beta'], countType: 'imageCountMoreThan', countNumber: 1 }),
      rule(2, { tagStatus: 'tagged', tagPrefixList: ['prod'], countType: 'imageCountMoreThan', countNumber: 1 }),
    );
    expect(expired(p, repo)).toEqual(['A@1', 'B@1']);
  });

  it('gives the same answer whatever order the rules are written in', () => {
    const p = policy(
      rule(2, { tagStatus: 'tagged', tagPrefixList: ['beta'], countType: 'imageCountMoreThan', countNumber: 1 }),
      rule(1, { tagStatus: 'tagged', tagPrefixList: ['prod'], countType: 'imageCountMoreThan', countNumber: 1 }),
    );
    expect(expired(p, repo)).toEqual(['A@1']);
  });
});

describe('evaluateLifecyclePolicy: AWS "Filtering on multiple tags in a single rule"', () => {
  it('Example A: with two prefixes only images having both are selected, so only C (older than 5 days) expires', () => {
    const repo = [
      image('A', ['alpha-1'], 12 * DAY),
      image('B', ['beta-1'], 11 * DAY),
      image('C', ['alpha-2', 'beta-2'], 10 * DAY),
      image('D', ['alpha-3'], 4 * DAY),
      image('E', ['beta-3'], 3 * DAY),
      image('F', ['alpha-4', 'beta-4'], 2 * DAY),
    ];
    const p = policy(rule(1, { tagStatus: 'tagged', tagPrefixList: ['alpha', 'beta'], countType: 'sinceImagePushed', countNumber: 5, countUnit: 'days' }));
    expect(expired(p, repo)).toEqual(['C@1']);
  });

  it('Example B: tags are not exclusive, an extra gamma tag does not stop a match; A and B expire', () => {
    const repo = [
      image('A', ['alpha-1', 'beta-1', 'gamma-1'], 10 * DAY),
      image('B', ['alpha-2', 'beta-2'], 9 * DAY),
      image('C', ['alpha-3', 'beta-3', 'gamma-2'], 8 * DAY),
    ];
    const p = policy(rule(1, { tagStatus: 'tagged', tagPrefixList: ['alpha', 'beta'], countType: 'imageCountMoreThan', countNumber: 1 }));
    expect(expired(p, repo)).toEqual(['A@1', 'B@1']);
  });
});

describe('evaluateLifecyclePolicy: AWS "Filtering on all images"', () => {
  it('Example A: an any rule keeping one image expires A, B and C, the untagged one included', () => {
    const repo = [image('A', ['alpha-1'], 4 * DAY), image('B', ['beta-1'], 3 * DAY), image('C', [], 2 * DAY), image('D', ['alpha-2'], 1 * DAY)];
    const p = policy(rule(1, { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 }));
    expect(expired(p, repo)).toEqual(['A@1', 'B@1', 'C@1']);
  });

  it('Example B (alpha, untagged, any): A, B and D expire; the any rule counts A, B, C and E but may not expire them', () => {
    // The docs push D and E both "1 day ago" and keep E as the newest; E goes a little later here
    // (and stays under a day old, so the untagged rule keeps it, as in the docs).
    const repo = [
      image('A', ['alpha-1', 'beta-1'], 4 * DAY),
      image('B', [], 3 * DAY),
      image('C', ['alpha-2'], 2 * DAY),
      image('D', ['git hash'], 1 * DAY),
      image('E', [], 1 * DAY - HOUR),
    ];
    const p = policy(
      rule(1, { tagStatus: 'tagged', tagPrefixList: ['alpha'], countType: 'imageCountMoreThan', countNumber: 1 }),
      rule(2, { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 1 }),
      rule(3, { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 }),
    );
    expect(expired(p, repo)).toEqual(['A@1', 'B@2', 'D@3']);
  });
});

describe('evaluateLifecyclePolicy: single rules from the docs', () => {
  it('keeps only the newest untagged image and never touches tagged ones', () => {
    const repo = [image('A', [], 5 * DAY), image('B', ['v1'], 4 * DAY), image('C', [], 3 * DAY), image('D', [], 2 * DAY), image('E', ['v2'], 10 * DAY)];
    const p = policy(rule(1, { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 1 }));
    expect(expired(p, repo)).toEqual(['A@1', 'C@1']);
  });

  it('expires prod* images older than 14 days and leaves other tags alone', () => {
    const repo = [image('A', ['prod'], 20 * DAY), image('B', ['production-2'], 15 * DAY), image('C', ['prod-3'], 13 * DAY), image('D', ['dev'], 30 * DAY)];
    const p = policy(rule(1, { tagStatus: 'tagged', tagPatternList: ['prod*'], countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 }));
    expect(expired(p, repo)).toEqual(['A@1', 'B@1']);
  });
});

describe('evaluateLifecyclePolicy: sinceImagePushed boundaries', () => {
  const p = policy(rule(1, { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 7 }));

  it('keeps an image pushed exactly countNumber days ago', () => {
    expect(expired(p, [image('A', [], 7 * DAY)])).toEqual([]);
  });

  it('expires it one millisecond later', () => {
    expect(expired(p, [image('A', [], 7 * DAY + 1)])).toEqual(['A@1']);
  });

  it('measures age from the nowMs it is given, not the clock', () => {
    const repo = [image('A', [], 1 * DAY)];
    expect(expired(p, repo)).toEqual([]);
    expect(expired(p, repo, NOW + 6 * DAY + 1)).toEqual(['A@1']);
  });
});

describe('evaluateLifecyclePolicy: one rule per image', () => {
  it('reports an image two rules would expire once, under the higher-priority rule', () => {
    const repo = [image('A', ['v1'], 30 * DAY), image('B', ['v2'], 20 * DAY), image('C', ['v3'], 1 * DAY)];
    const p = policy(
      rule(1, { tagStatus: 'tagged', tagPrefixList: ['v'], countType: 'sinceImagePushed', countUnit: 'days', countNumber: 25 }),
      rule(2, { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 }),
    );
    expect(expired(p, repo)).toEqual(['A@1']);
  });

  it('lets a lower rule count images it may not expire: they still fill its quota', () => {
    // Rule 1 protects every release; rule 2 keeps one image overall. The newest image is a
    // release, so the lone untagged image is beyond the count and expires.
    const repo = [image('R', ['release-1'], 1 * DAY), image('X', [], 2 * DAY)];
    const p = policy(
      rule(1, { tagStatus: 'tagged', tagPrefixList: ['release'], countType: 'imageCountMoreThan', countNumber: 100 }),
      rule(2, { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 }),
    );
    expect(expired(p, repo)).toEqual(['X@2']);
  });

  it('expires nothing when the repository is empty or nothing is selected', () => {
    const p = policy(rule(1, { tagStatus: 'tagged', tagPatternList: ['prod'], countType: 'imageCountMoreThan', countNumber: 1 }));
    expect(expired(p, [])).toEqual([]);
    expect(expired(p, [image('A', ['prod-1'], 3 * DAY), image('B', ['production'], 2 * DAY)])).toEqual([]);
  });
});

describe('evaluateLifecyclePolicy: result', () => {
  it('lists expiries oldest first with tags and push time, whatever order the images came in', () => {
    const p = policy(rule(1, { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 }));
    const repo = [image('B', ['b'], 2 * DAY), image('C', [], 1 * DAY), image('A', ['a', 'a2'], 3 * DAY)];
    expect(evaluateLifecyclePolicy(p, repo, NOW)).toEqual([
      { imageDigest: 'sha256:A', imageTags: ['a', 'a2'], imagePushedAt: NOW - 3 * DAY, appliedRulePriority: 1 },
      { imageDigest: 'sha256:B', imageTags: ['b'], imagePushedAt: NOW - 2 * DAY, appliedRulePriority: 1 },
    ]);
  });

  it('breaks push-time ties by digest, so the same repository always gives the same answer', () => {
    const p = policy(rule(1, { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 1 }));
    const tied = [image('B', [], DAY), image('A', [], DAY), image('C', [], DAY)];
    expect(expired(p, tied)).toEqual(['A@1', 'B@1']);
    expect(expired(p, [...tied].reverse())).toEqual(['A@1', 'B@1']);
  });
});
