import { describe, expect, it } from 'vitest';
import { editDistance, nearMissDistance, nearMisses } from './near-miss.ts';

describe('near-miss names', () => {
  it('counts edits, with a swap of neighbours as one', () => {
    expect(editDistance('myrepo', 'myrepo')).toBe(0);
    expect(editDistance('myrepo', 'myrepo1')).toBe(1);
    expect(editDistance('myrepo', 'myrpeo')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it('finds case, separator, extra-character and typo variants, closest first', () => {
    expect(nearMisses('myrepo', ['frontend', 'myrepo1', 'MyRepo', 'my-repo', 'my_repo', 'myrepo', 'yourrepo', 'mirepo'])).toEqual([
      'MyRepo',
      'my-repo',
      'my_repo',
      'myrepo1',
      'mirepo',
    ]);
  });

  it('allows fewer edits in short names', () => {
    expect(nearMissDistance('web', 'wab')).toBe(1);
    expect(nearMissDistance('web', 'api')).toBeUndefined();
    expect(nearMissDistance('app', 'apple')).toBeUndefined();
    expect(nearMissDistance('myrepo', 'myrepo')).toBeUndefined();
  });
});
