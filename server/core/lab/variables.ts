/**
 * Lab variables: `{{name}}` in a lab's Markdown and check parameters. Declared variables get a value per
 * learner (so answers cannot be copied between learners); the built-ins come from the learner's target.
 */
import type { LearnerVariables } from '../checks.ts';
import type { LabVariable } from './model.ts';

/** Variables every lab may use without declaring them. */
export const BUILT_IN_VARIABLES = ['accountId', 'region', 'registry', 'learnerId'] as const;
export type BuiltInVariable = (typeof BUILT_IN_VARIABLES)[number];

/** A declared variable's name: a letter, then letters, digits or `_`. */
export const VARIABLE_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_]*$/;

/**
 * A reference: `{{name}}` or `{{ name }}`. Anything else in double braces (Go templates such as
 * `{{.Id}}` or `{{json .}}` in docker commands) is not a reference and is left alone.
 */
const REFERENCE = /\{\{\s*([A-Za-z][A-Za-z0-9_]*)\s*\}\}/g;

/** One `{{name}}` in a text. */
export interface VariableReference {
  name: string;
  /** Offset of the opening `{{`. */
  index: number;
  length: number;
}

/** Every `{{name}}` in `text`, in order. */
export function findVariableReferences(text: string): VariableReference[] {
  const refs: VariableReference[] = [];
  for (const m of text.matchAll(REFERENCE)) refs.push({ name: m[1]!, index: m.index, length: m[0].length });
  return refs;
}

/** Replaces each `{{name}}` that has a value; references without a value stay as written. */
export function substituteVariables(text: string, values: LearnerVariables): string {
  return text.replace(REFERENCE, (whole, name: string) => (Object.hasOwn(values, name) ? values[name]! : whole));
}

/**
 * {@link substituteVariables} through a parsed YAML value (strings in arrays and objects, keys included).
 * @example substituteInValue({ name: 'repo-{{suffix}}' }, { suffix: 'k3x9q2' }) // { name: 'repo-k3x9q2' }
 */
export function substituteInValue(value: unknown, values: LearnerVariables): unknown {
  if (typeof value === 'string') return substituteVariables(value, values);
  if (Array.isArray(value)) return value.map((v) => substituteInValue(v, values));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[substituteVariables(k, values)] = substituteInValue(v, values);
    return out;
  }
  return value;
}

/**
 * Plausible values for validating check parameters when a lab loads (a schema that wants a repository
 * name must accept `myrepo-{{suffix}}`, so it is checked as `myrepo-a1b2c3`).
 */
export function sampleVariables(variables: readonly LabVariable[]): Record<string, string> {
  const values: Record<string, string> = {
    accountId: '123456789012',
    region: 'us-east-1',
    registry: '123456789012.dkr.ecr.us-east-1.amazonaws.com',
    learnerId: 'learner',
  };
  for (const v of variables) values[v.name] = v.kind === 'fixed' ? (v.value ?? '') : v.kind === 'phrase' ? 'amber-falcon-river' : 'a1b2c3';
  return values;
}

/** What a learner's variable values are derived from. */
export interface LearnerVariableContext {
  learnerId: string;
  /**
   * A per-installation secret mixed into generated values, so knowing a learner id is not enough to
   * compute their suffix. Keep it stable: changing it changes every learner's values.
   */
  secret: string;
  /** Built-ins from the learner's target (sandbox account or AWS); missing ones stay `{{name}}`. */
  accountId?: string;
  region?: string;
  registry?: string;
}

/**
 * Every variable's value for one learner: the built-ins plus the lab's declared variables. Generated
 * values are deterministic (same learner, lab and secret → same value), so nothing needs storing.
 */
export function resolveLabVariables(labId: string, variables: readonly LabVariable[], ctx: LearnerVariableContext): Record<string, string> {
  const values: Record<string, string> = { learnerId: ctx.learnerId };
  if (ctx.accountId !== undefined) values.accountId = ctx.accountId;
  if (ctx.region !== undefined) values.region = ctx.region;
  if (ctx.registry !== undefined) values.registry = ctx.registry;
  for (const v of variables) {
    const seed = `${ctx.secret}\u0000${labId}\u0000${ctx.learnerId}\u0000${v.name}`;
    if (v.kind === 'fixed') values[v.name] = v.value ?? '';
    else if (v.kind === 'random-suffix') values[v.name] = randomSuffix(seed);
    else values[v.name] = phrase(seed);
  }
  return values;
}

const SUFFIX_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const WORDS = [
  'amber', 'anchor', 'aspen', 'basil', 'beacon', 'birch', 'bison', 'canyon', 'cedar', 'cinder', 'clover', 'comet',
  'coral', 'cosmos', 'delta', 'dune', 'ember', 'falcon', 'fern', 'fjord', 'galaxy', 'garnet', 'glacier', 'harbor',
  'hazel', 'heron', 'indigo', 'iris', 'jasper', 'juniper', 'kelp', 'lagoon', 'lantern', 'lilac', 'lotus', 'maple',
  'meadow', 'mesa', 'nebula', 'nova', 'oasis', 'onyx', 'orbit', 'otter', 'pebble', 'pine', 'prairie', 'quartz',
  'raven', 'reef', 'river', 'saffron', 'sierra', 'sparrow', 'summit', 'tundra', 'velvet', 'willow', 'zephyr', 'yonder',
] as const;

function randomSuffix(seed: string): string {
  let out = '';
  for (let i = 0; out.length < 6; i++) {
    let h = hash53(`${seed}\u0000${i}`);
    for (let j = 0; j < 3 && out.length < 6; j++) {
      out += SUFFIX_ALPHABET[h % 36];
      h = Math.floor(h / 36);
    }
  }
  return out;
}

function phrase(seed: string): string {
  return [0, 1, 2].map((i) => WORDS[hash53(`${seed}\u0000w${i}`) % WORDS.length]).join('-');
}

/** cyrb53: a fast, well-mixed 53-bit string hash (not cryptographic; the secret only raises the bar). */
function hash53(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
