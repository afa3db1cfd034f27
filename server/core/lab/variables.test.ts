import { describe, expect, it } from 'vitest';
import { findVariableReferences, resolveLabVariables, substituteInValue, substituteVariables } from './variables.ts';
import type { LabVariable } from './model.ts';

const VARS: LabVariable[] = [
  { name: 'suffix', kind: 'random-suffix' },
  { name: 'secret', kind: 'phrase' },
  { name: 'repo', kind: 'fixed', value: 'myrepo' },
];
const ctx = { learnerId: 'alice', secret: 's3cret', accountId: '111122223333', region: 'eu-west-1' };

describe('lab variables', () => {
  it('substitutes {{name}} and {{ name }}, leaving unknown names and Go templates as written', () => {
    expect(substituteVariables('{{repo}}-{{ suffix }} {{other}} {{.Id}} {{json .}}', { repo: 'r', suffix: 'x1' })).toBe('r-x1 {{other}} {{.Id}} {{json .}}');
  });

  it('finds references with their offsets', () => {
    expect(findVariableReferences('a {{x}} b {{ y_2 }}')).toEqual([
      { name: 'x', index: 2, length: 5 },
      { name: 'y_2', index: 10, length: 9 },
    ]);
  });

  it('substitutes through check parameters, keys included', () => {
    expect(substituteInValue({ name: 'repo-{{suffix}}', tags: ['{{suffix}}', 3, true], '{{suffix}}': null }, { suffix: 'k3x9q2' })).toEqual({
      name: 'repo-k3x9q2',
      tags: ['k3x9q2', 3, true],
      k3x9q2: null,
    });
  });

  it('gives each learner stable values of their own', () => {
    const alice = resolveLabVariables('ecr-basics', VARS, ctx);
    expect(alice).toEqual({
      learnerId: 'alice',
      accountId: '111122223333',
      region: 'eu-west-1',
      suffix: expect.stringMatching(/^[a-z0-9]{6}$/),
      secret: expect.stringMatching(/^[a-z]+-[a-z]+-[a-z]+$/),
      repo: 'myrepo',
    });
    expect(resolveLabVariables('ecr-basics', VARS, ctx)).toEqual(alice);
    const bob = resolveLabVariables('ecr-basics', VARS, { ...ctx, learnerId: 'bob' });
    expect(bob.suffix).not.toBe(alice.suffix);
    expect(resolveLabVariables('ecr-basics', VARS, { ...ctx, secret: 'other' }).suffix).not.toBe(alice.suffix);
    expect(resolveLabVariables('other-lab', VARS, ctx).suffix).not.toBe(alice.suffix);
  });

  it('spreads suffixes over the alphabet (no collisions among 2000 learners)', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) seen.add(resolveLabVariables('lab', VARS, { learnerId: `l${i}`, secret: '' }).suffix!);
    expect(seen.size).toBe(2000);
  });
});
