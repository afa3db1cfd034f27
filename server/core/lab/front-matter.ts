/**
 * The front matter of a lab: YAML between `---` lines at the top of lab.md, validated with a zod schema.
 * Every problem points at the key it is about.
 */
import { z } from 'zod';
import { LAB_ID_PATTERN } from '../protocol.ts';
import type { LabDefinition, LabVariable } from './model.ts';
import { BUILT_IN_VARIABLES, VARIABLE_NAME_PATTERN } from './variables.ts';
import { parseLocatedYaml, yamlToData, type LocatedYaml } from './yaml-source.ts';

/** A problem without its file (the parser adds it). */
export interface LocatedMessage {
  line: number;
  column: number;
  severity: 'error' | 'warning';
  message: string;
}

const variableSchema = z.strictObject({
  kind: z.enum(['random-suffix', 'phrase', 'fixed']),
  value: z.string().optional(),
  description: z.string().optional(),
});

/** The front matter's schema (docs/lab-format.md#front-matter). Unknown keys are errors. */
export const frontMatterSchema = z.strictObject({
  id: z.string().regex(LAB_ID_PATTERN, 'must be lowercase letters, digits and dashes, starting with a letter or digit'),
  title: z.string().trim().min(1, 'must not be empty'),
  summary: z.string().trim().min(1, 'must not be empty'),
  duration: z.number().int().positive().optional(),
  difficulty: z.enum(['beginner', 'intermediate', 'advanced']).optional(),
  environment: z.enum(['sandbox', 'aws']).default('sandbox'),
  autoCheck: z.boolean().default(false),
  containers: z.boolean().default(false),
  variables: z.record(z.string(), variableSchema).default({}),
});

export type FrontMatter = z.infer<typeof frontMatterSchema>;

/** The lab-level fields of a {@link LabDefinition}. */
export type LabHeader = Omit<LabDefinition, 'introduction' | 'steps'>;

/** Where front matter is in a file, found by {@link splitFrontMatter}. */
export type FrontMatterSplit =
  | { kind: 'missing' }
  | { kind: 'unterminated' }
  /** `yaml` starts on file line 2; the body starts on `bodyLine`. */
  | { kind: 'ok'; yaml: string; bodyLine: number; bodyOffset: number };

/** Finds the `---` … `---` block at the very top of a (newline-normalised) file. */
export function splitFrontMatter(text: string): FrontMatterSplit {
  if (!/^---[ \t]*(\n|$)/.test(text)) return { kind: 'missing' };
  const lines = text.split('\n');
  for (let i = 1; i < lines.length; i++) {
    if (/^(---|\.\.\.)[ \t]*$/.test(lines[i]!)) {
      const yaml = lines.slice(1, i).join('\n');
      const bodyOffset = lines.slice(0, i + 1).reduce((n, l) => n + l.length + 1, 0);
      return { kind: 'ok', yaml, bodyLine: i + 2, bodyOffset: Math.min(bodyOffset, text.length) };
    }
  }
  return { kind: 'unterminated' };
}

/** Parses and validates front matter YAML found at file line 2. Never throws. */
export function parseFrontMatter(
  yamlText: string,
  expectedId: string | undefined,
): { header?: LabHeader; partial: { title?: string; summary?: string }; messages: LocatedMessage[]; yaml: LocatedYaml } {
  const yaml = parseLocatedYaml(yamlText, { line: 2, column: 1 });
  const messages: LocatedMessage[] = yaml.messages.map((m) => ({ ...m, message: `front matter: ${m.message}` }));
  const start = { line: 1, column: 1 };
  const data = yamlToData(yaml);
  if (messages.some((m) => m.severity === 'error')) return { partial: {}, messages, yaml };
  if (data === null || data === undefined) {
    messages.push({ ...start, severity: 'error', message: 'front matter is empty; it needs at least id, title and summary' });
    return { partial: {}, messages, yaml };
  }
  if (typeof data !== 'object' || Array.isArray(data)) {
    messages.push({ line: 2, column: 1, severity: 'error', message: 'front matter must be a mapping of keys (id: …, title: …), not a list or a single value' });
    return { partial: {}, messages, yaml };
  }
  const raw = data as Record<string, unknown>;
  const partial = {
    ...(typeof raw.title === 'string' ? { title: raw.title } : {}),
    ...(typeof raw.summary === 'string' ? { summary: raw.summary } : {}),
  };

  const result = frontMatterSchema.safeParse(raw);
  if (!result.success) {
    for (const issue of result.error.issues) messages.push(...issueMessages(issue, raw, yaml));
    return { partial, messages, yaml };
  }
  const fm = result.data;
  if (expectedId !== undefined && fm.id !== expectedId) {
    messages.push({ ...yaml.keyAt(['id']), severity: 'error', message: `id '${fm.id}' must equal the lab's folder name '${expectedId}'` });
  }
  const variables: LabVariable[] = [];
  for (const [name, v] of Object.entries(fm.variables)) {
    const pos = yaml.keyAt(['variables', name]);
    if (!VARIABLE_NAME_PATTERN.test(name)) {
      messages.push({ ...pos, severity: 'error', message: `variable name '${name}' must be a letter followed by letters, digits or _` });
    } else if ((BUILT_IN_VARIABLES as readonly string[]).includes(name)) {
      messages.push({ ...pos, severity: 'error', message: `variable '${name}' is built in; choose another name` });
    }
    if (v.kind === 'fixed' && v.value === undefined) {
      messages.push({ ...pos, severity: 'error', message: `variable '${name}' of kind fixed needs a value` });
    } else if (v.kind !== 'fixed' && v.value !== undefined) {
      messages.push({ ...yaml.keyAt(['variables', name, 'value']), severity: 'error', message: `variable '${name}': value is only for kind fixed (${v.kind} values are generated per learner)` });
    }
    variables.push({ name, kind: v.kind, ...(v.value !== undefined ? { value: v.value } : {}), ...(v.description !== undefined ? { description: v.description } : {}) });
  }
  const header: LabHeader = {
    id: fm.id,
    title: fm.title,
    summary: fm.summary,
    ...(fm.duration !== undefined ? { durationMinutes: fm.duration } : {}),
    ...(fm.difficulty !== undefined ? { difficulty: fm.difficulty } : {}),
    environment: fm.environment,
    autoCheck: fm.autoCheck,
    containers: fm.containers,
    variables,
  };
  return { header, partial, messages, yaml };
}

const KNOWN_KEYS = Object.keys(frontMatterSchema.shape);

function issueMessages(issue: z.core.$ZodIssue, raw: Record<string, unknown>, yaml: LocatedYaml): LocatedMessage[] {
  const path = issue.path as PropertyKey[];
  const where = path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const known = path.length === 0 ? KNOWN_KEYS : path[0] === 'variables' ? ['kind', 'value', 'description'] : [];
      const hint = suggest(key, known);
      return {
        ...yaml.keyAt([...path, key]),
        severity: 'error' as const,
        message: `unknown front matter key '${[...path.map(String), key].join('.')}'${hint ? ` (did you mean '${hint}'?)` : known.length ? ` (known keys: ${known.join(', ')})` : ''}`,
      };
    });
  }
  if (issue.code === 'invalid_type' && valueAt(raw, path) === undefined) {
    // A missing top-level key has no line of its own: point at the opening ---.
    const pos = path.length === 1 ? { line: 1, column: 1 } : yaml.keyAt(path);
    return [{ ...pos, severity: 'error', message: `front matter is missing '${where}'` }];
  }
  return [{ ...yaml.keyAt(path), severity: 'error', message: `front matter '${where}': ${issue.message}` }];
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let v = value;
  for (const segment of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[segment];
  }
  return v;
}

/** The known name closest to a misspelt one (edit distance ≤ 2), if any. */
export function suggest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const k of known) {
    const d = editDistance(name.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}
