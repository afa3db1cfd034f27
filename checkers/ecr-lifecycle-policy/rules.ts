import { z } from 'zod';

/** A lab's partial expectation of one lifecycle rule: every field given must match, the rest is free. */
export const ExpectedRule = z.strictObject({
  rulePriority: z.number().int().min(1).optional(),
  description: z.string().optional(),
  tagStatus: z.enum(['tagged', 'untagged', 'any']).optional(),
  /** Compared as sets: order does not matter. */
  tagPrefixList: z.array(z.string()).min(1).optional(),
  tagPatternList: z.array(z.string()).min(1).optional(),
  countType: z.enum(['imageCountMoreThan', 'sinceImagePushed']).optional(),
  countUnit: z.literal('days').optional(),
  countNumber: z.number().int().min(1).optional(),
  action: z.literal('expire').optional(),
});
export type ExpectedRule = z.output<typeof ExpectedRule>;

/** A rule as the learner's policy text has it (loosely: the policy was validated by ECR when put). */
export interface PolicyRule {
  rulePriority?: unknown;
  description?: unknown;
  selection?: Record<string, unknown>;
  action?: { type?: unknown };
}

/** The rules of a policy text, or undefined when it is not a policy document. */
export function parseRules(text: string): PolicyRule[] | undefined {
  try {
    const doc = JSON.parse(text) as { rules?: unknown };
    return Array.isArray(doc.rules) ? (doc.rules as PolicyRule[]) : undefined;
  } catch {
    return undefined;
  }
}

/** One field where a rule differs from the expectation, e.g. `countNumber is 3, the lab expects 5`. */
export interface Mismatch {
  field: keyof ExpectedRule;
  actual: unknown;
  expected: unknown;
}

function actualOf(rule: PolicyRule, field: keyof ExpectedRule): unknown {
  switch (field) {
    case 'rulePriority':
    case 'description':
      return rule[field];
    case 'action':
      return rule.action?.type;
    default:
      return rule.selection?.[field];
  }
}

const sameSet = (a: unknown, b: readonly string[]) =>
  Array.isArray(a) && new Set(a).size === new Set(b).size && b.every((x) => (a as unknown[]).includes(x));

/** Where `rule` differs from `expected` (empty: it matches). */
export function mismatches(rule: PolicyRule, expected: ExpectedRule): Mismatch[] {
  const out: Mismatch[] = [];
  for (const field of Object.keys(expected) as (keyof ExpectedRule)[]) {
    const want = expected[field];
    if (want === undefined) continue;
    const got = actualOf(rule, field);
    const equal = Array.isArray(want) ? sameSet(got, want) : got === want;
    if (!equal) out.push({ field, actual: got, expected: want });
  }
  return out;
}

const show = (v: unknown) => (v === undefined ? 'not set' : JSON.stringify(v));

/** `tagStatus "untagged", countNumber 14` */
export function describeExpectation(expected: ExpectedRule): string {
  return Object.entries(expected)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k} ${show(v)}`)
    .join(', ');
}

/** `countNumber is 3, the lab expects 5; tagStatus is "any", the lab expects "untagged"` */
export function describeMismatches(ms: readonly Mismatch[]): string {
  return ms.map((m) => `${m.field} is ${show(m.actual)}, the lab expects ${show(m.expected)}`).join('; ');
}

/** The rule closest to `expected` (fewest mismatches), with its mismatches. */
export function closestRule(rules: readonly PolicyRule[], expected: ExpectedRule): { rule: PolicyRule; mismatches: Mismatch[] } | undefined {
  let best: { rule: PolicyRule; mismatches: Mismatch[] } | undefined;
  for (const rule of rules) {
    const ms = mismatches(rule, expected);
    if (!best || ms.length < best.mismatches.length) best = { rule, mismatches: ms };
  }
  return best;
}
