import { describe, expect, it } from 'vitest';
import { compareApkVersions, isValidApkVersion } from './apk-version.ts';

// A selection of the valid cases from apk-tools' own test/version.data (expected results as
// apk prints them), plus Alpine release-revision cases.
const cases: Array<[string, '<' | '=' | '>', string]> = [
  ['2.34', '>', '0.1.0_alpha'],
  ['0.1.0_alpha', '=', '0.1.0_alpha'],
  ['0.1.0_alpha2', '>', '0.1.0_alpha'],
  ['1.1', '>', '1.1_alpha1'],
  ['1.2.1', '>', '1.2'],
  ['0.8_beta1', '<', '0.8_beta2'],
  ['2.3.0b-r1', '<', '2.3.0b-r2'],
  ['0.12.3', '>', '0.12'],
  ['3.1_p16', '<', '3.1_p17'],
  ['1.06-r6', '<', '006'],
  ['1.2.2-r1', '>', '1.2.2'],
  ['2.01.01_alpha10', '>', '0.94'],
  ['1.0', '>', '0.99.3.20040818'],
  ['1.02', '<', '1.03-r1'],
  ['2.5.1-r8', '<', '2.5.1a-r1'],
  ['1.3.5-r10', '>', '1.3.5-r8'],
  ['4.5_p1-r1', '>', '4.5_p1'],
  ['0.9.28.1', '<', '087-r1'],
  ['1.8.5', '<', '1.8.5_p2'],
  ['2.9.11_pre20051101-r3', '>', '2.9.11_pre20051101'],
  ['0.1.0_alpha_pre2', '<', '0.1.0_alpha'],
  ['1.0_p10-r0', '>', '1.0_p9-r0'],
  ['1.3_pre1-r1', '<', '1.3.2'],
  ['1.0.0_pre20191002222144-r0', '<', '1.0.0_pre20210530193627-r0'],
  ['1.36.1-r5', '<', '1.36.1-r15'],
  ['3.1.4-r0', '>', '3.1.3-r5'],
  ['1.01', '<', '1.1'],
];

describe('compareApkVersions', () => {
  it.each(cases)('%s %s %s', (a, op, b) => {
    const expected = op === '<' ? -1 : op === '=' ? 0 : 1;
    expect(compareApkVersions(a, b)).toBe(expected);
    expect(compareApkVersions(b, a)).toBe(expected === 0 ? 0 : -expected);
  });

  it('rejects strings apk would not accept', () => {
    expect(isValidApkVersion('1.0_foo')).toBe(false);
    expect(isValidApkVersion('1.0-2')).toBe(false);
    expect(isValidApkVersion('1.36.1-r15')).toBe(true);
    expect(() => compareApkVersions('1.0_foo', '1.0')).toThrow(RangeError);
  });
});
