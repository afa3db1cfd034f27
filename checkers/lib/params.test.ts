import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { zodParams } from './params.ts';

describe('zodParams', () => {
  const schema = zodParams(z.strictObject({ name: z.string().min(1), rules: z.array(z.strictObject({ countNumber: z.number().int() })).optional(), on: z.boolean().default(true) }));

  it('returns the parsed value with defaults', () => {
    expect(schema.parse({ name: 'x' })).toEqual({ ok: true, value: { name: 'x', on: true } });
  });

  it('returns every problem with a dotted path; unknown keys at (params)', () => {
    const r = schema.parse({ name: '', rules: [{ countNumber: 1 }, { countNumber: 'two' }], nmae: 'x' });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problems.map((p) => p.path).sort()).toEqual(['(params)', 'name', 'rules.1.countNumber']);
    expect(!r.ok && r.problems.find((p) => p.path === '(params)')!.message).toContain('nmae');
  });
});
