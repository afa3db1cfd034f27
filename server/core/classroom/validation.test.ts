import { describe, expect, it } from 'vitest';
import { normalizeJoinCode, parseRoster, validateAnnouncement, validateDisplayName, validateLabIds, validateStuck } from './validation.ts';

const message = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  return undefined;
};

describe('classroom input', () => {
  it('accepts display names of 1–60 characters, trimmed, and refuses control characters', () => {
    expect(validateDisplayName('  Zoë Ångström  ')).toBe('Zoë Ångström');
    expect(validateDisplayName('😀'.repeat(60))).toHaveLength(120);
    expect(message(() => validateDisplayName('   '))).toMatch(/^displayName: /);
    expect(message(() => validateDisplayName('a'.repeat(61)))).toMatch(/at most 60/);
    expect(message(() => validateDisplayName('Ann\u0007'))).toMatch(/control characters/);
    expect(message(() => validateDisplayName('Ann\u202eevil'))).toMatch(/control characters/);
    expect(message(() => validateDisplayName(42))).toMatch(/^displayName: /);
  });

  it('reads a roster from a file or a list: distinct ids, comments and blank lines skipped', () => {
    expect(parseRoster('# class of 2026\nA1\r\n\n a2 \nA1\n')).toEqual(['A1', 'a2']);
    expect(parseRoster(['x', 'X'])).toEqual(['x']);
    expect(parseRoster([])).toBeUndefined();
    expect(message(() => parseRoster('ok\nbad\u0000id'))).toMatch(/^roster: /);
  });

  it('normalises join codes as people type them', () => {
    expect(normalizeJoinCode(' ABCD-efgh 23 ')).toBe('abcdefgh23');
    expect(normalizeJoinCode('../etc')).toBeUndefined();
    expect(normalizeJoinCode(undefined)).toBeUndefined();
  });

  it('names the lab that does not exist, and checks the other fields', () => {
    expect(validateLabIds(['a', 'b', 'a'], () => true)).toEqual(['a', 'b']);
    expect(message(() => validateLabIds(['a', 'nope'], (id) => id === 'a'))).toBe("labIds: there is no lab 'nope'.");
    expect(message(() => validateLabIds([], () => true))).toMatch(/^labIds: /);
    expect(validateStuck(undefined, 5)).toEqual({ noProgressMinutes: 10, failedAttempts: 5 });
    expect(message(() => validateStuck(0, undefined))).toMatch(/^stuckMinutes: /);
    expect(validateAnnouncement('  Break until 11:00\r\nthen ECS ')).toBe('Break until 11:00\nthen ECS');
    expect(message(() => validateAnnouncement('x'.repeat(501)))).toMatch(/at most 500/);
  });
});
