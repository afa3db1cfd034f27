import { describe, expect, it } from 'vitest';
import { compareDpkgVersions, parseDpkgVersion } from './dpkg-version.ts';

// Each pair is written a < b; the test checks both directions and that each equals itself.
const ordered: Array<[string, string, string]> = [
  ['1.0~rc1', '1.0', 'a tilde sorts before the end of the string (pre-release)'],
  ['1.0~~', '1.0~', 'two tildes sort before one'],
  ['1.0~~a', '1.0~', 'tilde-tilde-letter still sorts before a single tilde'],
  ['1.0~alpha', '1.0~beta', 'letters compare by ASCII after a tilde'],
  ['1.0', '1.0a', 'a letter sorts after the end of the string'],
  ['1.0a', '1.0+', 'letters sort before non-letters'],
  ['1.0', '1.0.0', 'a trailing separator and digits make a version greater'],
  ['1.0', '1.0+b1', 'binNMU suffix is greater'],
  ['1.9', '1.10', 'digit runs compare as numbers, not strings'],
  ['2.0', '1:0.1', 'any epoch beats no epoch'],
  ['1:9.2p1-2+deb12u2', '1:9.2p1-2+deb12u3', 'stable security updates'],
  ['1.0-1', '1.0-2', 'revision decides when upstream is equal'],
  ['1.0-1', '1.0-1.1', 'NMU revision is greater'],
  ['3.0.11-1~deb12u2', '3.0.11-1', 'a ~debNuM backport sorts below the unstable revision'],
  ['2.4.57-2', '2.4.59-1~deb12u1', 'upstream decides before the revision'],
  ['7.88.1-10+deb12u3', '7.88.1-10+deb12u12', 'numeric comparison inside the revision'],
  ['1.2-3-4', '1.2-3-5', 'only the last hyphen starts the revision'],
];

describe('compareDpkgVersions', () => {
  it.each(ordered)('%s < %s (%s)', (a, b) => {
    expect(compareDpkgVersions(a, b)).toBe(-1);
    expect(compareDpkgVersions(b, a)).toBe(1);
    expect(compareDpkgVersions(a, a)).toBe(0);
  });

  it('treats leading zeros and an explicit zero epoch or revision as equal', () => {
    expect(compareDpkgVersions('1.01', '1.1')).toBe(0);
    expect(compareDpkgVersions('0:1.0', '1.0')).toBe(0);
    expect(compareDpkgVersions('1.0-0', '1.0')).toBe(0);
  });

  it('throws on strings that are not versions', () => {
    expect(() => compareDpkgVersions('x:1.0', '1.0')).toThrow(RangeError);
    expect(() => compareDpkgVersions('1:', '1.0')).toThrow(RangeError);
  });
});

describe('parseDpkgVersion', () => {
  it('splits epoch, upstream and revision at the first colon and last hyphen', () => {
    expect(parseDpkgVersion('1:2.36-9+deb12u3')).toEqual({ epoch: 1, upstream: '2.36', revision: '9+deb12u3' });
    expect(parseDpkgVersion('1.2-3-4')).toEqual({ epoch: 0, upstream: '1.2-3', revision: '4' });
    expect(parseDpkgVersion('20230311')).toEqual({ epoch: 0, upstream: '20230311', revision: '' });
  });
});
