import { describe, expect, it } from 'vitest';
import { matchesPattern, selects } from './tag-match.ts';
import type { LifecycleSelection } from './types.ts';

const count = { countType: 'imageCountMoreThan', countNumber: 1 } as const;

describe('matchesPattern', () => {
  it.each([
    ['prod*', 'prod', true], // the docs: prod* matches prod, prod1, production-team1
    ['prod*', 'prod1', true],
    ['prod*', 'production-team1', true],
    ['prod*', 'preprod', false],
    ['*prod*', 'repo-production', true], // the docs: *prod* matches repo-production, prod-team
    ['*prod*', 'prod-team', true],
    ['*prod*', 'pro-d', false],
    ['latest', 'latest', true], // no wildcard: the whole tag must match
    ['latest', 'latest-1', false],
    ['Prod*', 'prod-1', false], // case matters
    ['v*-*-rc*', 'v1-2-rc3', true],
    ['v*-*-rc*', 'v1-rc3', false],
    ['a*a', 'a', false], // the two literal ends may not overlap
    ['*', 'anything', true],
  ])('%s against %s is %s', (pattern, tag, expected) => {
    expect(matchesPattern(tag, pattern)).toBe(expected);
  });
});

describe('selects', () => {
  it('needs every prefix matched, each by any of the image\'s tags', () => {
    const selection: LifecycleSelection = { tagStatus: 'tagged', tagPrefixList: ['alpha', 'beta'], ...count };
    expect(selects(selection, ['alpha-1', 'beta-1'])).toBe(true);
    expect(selects(selection, ['alphabeta'])).toBe(false);
    expect(selects(selection, ['alpha-1'])).toBe(false);
  });

  it('needs every pattern matched', () => {
    const selection: LifecycleSelection = { tagStatus: 'tagged', tagPatternList: ['latest', 'main'], ...count };
    expect(selects(selection, ['latest'])).toBe(false);
    expect(selects(selection, ['main', 'latest', 'sha-1'])).toBe(true);
  });

  it('never lets a tagged rule pick an untagged image, even with a bare * pattern', () => {
    expect(selects({ tagStatus: 'tagged', tagPatternList: ['*'], ...count }, [])).toBe(false);
  });

  it('picks untagged images only for untagged rules, and everything for any rules', () => {
    expect(selects({ tagStatus: 'untagged', ...count }, [])).toBe(true);
    expect(selects({ tagStatus: 'untagged', ...count }, ['v1'])).toBe(false);
    expect(selects({ tagStatus: 'any', ...count }, [])).toBe(true);
    expect(selects({ tagStatus: 'any', ...count }, ['v1'])).toBe(true);
  });
});
