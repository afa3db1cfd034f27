/**
 * Parses a lab file (docs/lab-format.md) into a {@link LabDefinition}. Every problem is returned as a value
 * with the file, line and column it is about, so an author sees all of them at once; nothing in the input
 * makes it throw.
 */
import MarkdownIt from 'markdown-it';
import type { Token } from 'markdown-it';
import type { ParamSchema } from '../checks.ts';
import { fenceKind, parseCheckInfo, parseHintInfo } from './fences.ts';
import { parseFrontMatter, splitFrontMatter, suggest, type LabHeader } from './front-matter.ts';
import { DEFAULT_STEP_POINTS, parseStepHeading, slugify } from './headings.ts';
import { checkLink, findLinks, locateHref } from './links.ts';
import type { CheckSpec, LabDefinition, LabProblem, LabStep, ProgressiveHint, SourcePosition } from './model.ts';
import { ProblemList } from './problems.ts';
import { findBinaryContent, formatBytes, LineIndex, MAX_LAB_BYTES, utf8Length } from './source-text.ts';
import { BUILT_IN_VARIABLES, findVariableReferences, sampleVariables, substituteInValue } from './variables.ts';
import { parseLocatedYaml, yamlToData } from './yaml-source.ts';

/** What the parser needs from outside: checker schemas, and what exists in the lab folder. */
export interface ParseLabOptions {
  /** The parameter schema of a checker id; undefined for an id nobody registered. */
  checkerSchemas: (id: string) => ParamSchema<unknown> | undefined;
  /** Every registered checker id, for "did you mean" suggestions. */
  knownCheckers?: readonly string[];
  /** Step ids that have a `solve/<step-id>.sh`. */
  solveScripts: ReadonlySet<string>;
  /** Whether a path relative to the lab folder (`assets/arch.png`) exists; without it assets are not checked. */
  assetExists?: (relPath: string) => boolean;
  /** The id the front matter must declare; by default the name of the folder `file` is in. */
  labId?: string;
}

export interface ParseLabResult {
  /** The lab, when it has no errors (warnings allowed). */
  lab?: LabDefinition;
  problems: LabProblem[];
  /** Title and summary from the front matter when they could be read, even if the lab has errors. */
  title?: string;
  summary?: string;
}

/** markdown-it as the renderer configures it (html off, linkify on), used here only for its tokens. */
const md = new MarkdownIt({ html: false, linkify: true, typographer: false });

/**
 * Parses lab.md text.
 * @example
 * const { lab, problems } = parseLab('labs/ecr-basics/lab.md', text, { checkerSchemas: (id) => registry.get(id)?.params, solveScripts: new Set() });
 */
export function parseLab(file: string, text: string, options: ParseLabOptions): ParseLabResult {
  const problems = new ProblemList(file);
  try {
    return parseInto(problems, file, text, options);
  } catch (err) {
    // A bug in the parser, not in the lab; still reported as a value so one lab cannot take the catalog down.
    problems.error(1, 1, `labrunner failed to parse this file (a bug in labrunner, please report it): ${err instanceof Error ? err.message : String(err)}`);
    return { problems: problems.toArray() };
  }
}

/** A hint fence, kept to check its links once every step id is known. */
interface HintBlock {
  token: Token;
  fence: SourcePosition;
  indent: number;
}

/** A part of the body: the introduction or one step, with the lines it spans in the body. */
interface Section {
  step?: {
    heading: SourcePosition;
    title: string;
    id: string;
    points?: number;
    waits: boolean;
  };
  contentStart: number;
  end: number;
  checks: CheckSpec[];
  hints: ProgressiveHint[];
}

function parseInto(problems: ProblemList, file: string, input: string, options: ParseLabOptions): ParseLabResult {
  const bytes = utf8Length(input);
  if (bytes > MAX_LAB_BYTES) {
    problems.error(1, 1, `lab.md is ${formatBytes(bytes)}; the limit is ${formatBytes(MAX_LAB_BYTES)} (move large content to assets/ or files/)`);
    return { problems: problems.toArray() };
  }
  const text = input.replace(/^\ufeff/, '').replace(/\r\n?/g, '\n');
  const index = new LineIndex(text);
  const binaryAt = findBinaryContent(text);
  if (binaryAt !== undefined) {
    const pos = index.position(binaryAt);
    const code = text.charCodeAt(binaryAt);
    const what = code === 0xfffd ? 'bytes that are not UTF-8' : `a control character (U+${code.toString(16).padStart(4, '0').toUpperCase()})`;
    problems.error(pos.line, pos.column, `lab.md must be UTF-8 text, but it contains ${what} here; is it a binary file?`);
    return { problems: problems.toArray() };
  }

  // Front matter.
  const split = splitFrontMatter(text);
  let header: LabHeader | undefined;
  let declared = new Set<string>();
  let partial: { title?: string; summary?: string } = {};
  let bodyLine = 1;
  let bodyOffset = 0;
  let variablePositions = new Map<string, { line: number; column: number }>();
  if (split.kind === 'missing') {
    problems.error(1, 1, 'lab.md must start with YAML front matter: a line ---, then id, title and summary, then a line ---');
  } else if (split.kind === 'unterminated') {
    problems.error(1, 1, 'the front matter that starts here is never closed: add a line --- after it');
    return { problems: problems.toArray() };
  } else {
    const fm = parseFrontMatter(split.yaml, options.labId ?? folderOf(file));
    for (const m of fm.messages) problems.add(m);
    header = fm.header;
    partial = fm.partial;
    bodyLine = split.bodyLine;
    bodyOffset = split.bodyOffset;
    const rawVariables = (yamlToData(fm.yaml) as { variables?: unknown } | undefined)?.variables;
    if (rawVariables && typeof rawVariables === 'object') {
      declared = new Set(Object.keys(rawVariables));
      for (const name of declared) variablePositions.set(name, fm.yaml.keyAt(['variables', name]));
    }
  }

  const body = text.slice(bodyOffset);
  const lines = body.split('\n');
  const at = (line0: number, col0 = 0): SourcePosition => ({ file, line: bodyLine + line0, column: col0 + 1 });
  const indentOf = (line0: number) => {
    const l = lines[line0] ?? '';
    return l.length - l.trimStart().length;
  };

  const tokens = md.parse(body, {});
  const sections: Section[] = [{ contentStart: 0, end: lines.length, checks: [], hints: [] }];
  const stripped = new Set<number>();
  const usedIds = new Map<string, number>();
  const sample = sampleVariables(header?.variables ?? []);
  const known = new Set<string>([...declared, ...BUILT_IN_VARIABLES]);
  const hintBlocks: HintBlock[] = [];

  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.type === 'heading_open' && token.tag === 'h2' && token.level === 0 && token.map) {
      const heading = at(token.map[0], indentOf(token.map[0]));
      const inline = tokens[i + 1];
      const parsed = parseStepHeading(inline?.content ?? '');
      const headingLine = lines[token.map[0]] ?? '';
      for (const p of parsed.problems) {
        const col = headingLine.indexOf(inline?.content ?? '\u0000');
        problems.error(heading.line, col >= 0 ? col + 1 + p.index : heading.column, p.message);
      }
      const n = sections.length;
      let id = parsed.id ?? slugify(parsed.title);
      if (!parsed.title) {
        problems.error(heading.line, heading.column, 'this step heading has no title: write ## followed by what the learner does in this step');
        id ||= `step-${n}`;
      } else if (!id) {
        problems.error(heading.line, heading.column, `no step id can be made from '${parsed.title}'; give one: ## ${parsed.title} {#some-id}`);
        id = `step-${n}`;
      }
      if (token.markup !== '##') {
        problems.warning(heading.line, heading.column, `the --- under this line makes '${parsed.title}' a step heading; write '## ${parsed.title}' if that is meant, or leave a blank line before --- for a horizontal rule`);
      }
      const previous = usedIds.get(id);
      if (previous !== undefined) problems.error(heading.line, heading.column, `duplicate step id '${id}' (also used by the step on line ${previous})`);
      else usedIds.set(id, heading.line);
      sections[sections.length - 1]!.end = token.map[0];
      sections.push({
        step: { heading, title: parsed.title, id, ...(parsed.points !== undefined ? { points: parsed.points } : {}), waits: parsed.waits ?? false },
        contentStart: token.map[1],
        end: lines.length,
        checks: [],
        hints: [],
      });
      continue;
    }
    if (token.type !== 'fence' || !token.map) continue;
    const kind = fenceKind(token.info);
    if (!kind) continue;
    const section = sections[sections.length - 1]!;
    const fence = at(token.map[0], indentOf(token.map[0]));
    for (let l = token.map[0]; l < token.map[1]; l++) stripped.add(l);
    if (!isClosed(lines, token)) {
      problems.error(fence.line, fence.column, `this ${kind} block is never closed: add a line ${token.markup} after it (everything below is inside it now)`);
      continue;
    }
    if (!section.step) {
      problems.error(fence.line, fence.column, `a ${kind} block must be in a step: put it under the ## heading of the step it belongs to`);
      continue;
    }
    if (kind === 'check') {
      const check = parseCheck(token, fence, indentOf(token.map[0]), problems, options, sample, known);
      if (check) section.checks.push(check);
    } else {
      const info = parseHintInfo(token.info);
      for (const message of info.problems) problems.error(fence.line, fence.column, message);
      const hintText = token.content.trim();
      if (!hintText) problems.error(fence.line, fence.column, 'this hint is empty: write the hint in Markdown between the fences');
      if (!info.problems.length && hintText) {
        section.hints.push({
          text: hintText,
          ...(info.afterAttempts !== undefined ? { afterAttempts: info.afterAttempts } : {}),
          ...(info.afterMinutes !== undefined ? { afterMinutes: info.afterMinutes } : {}),
        });
        hintBlocks.push({ token, fence, indent: indentOf(token.map[0]) });
      }
    }
  }

  // Variables: every {{name}} must be declared or built in.
  const builtIns = new Set<string>(BUILT_IN_VARIABLES);
  const used = new Set<string>();
  for (const ref of findVariableReferences(body)) {
    used.add(ref.name);
    if (declared.has(ref.name) || builtIns.has(ref.name)) continue;
    const pos = index.position(bodyOffset + ref.index);
    const hint = suggest(ref.name, [...declared, ...builtIns]);
    problems.error(pos.line, pos.column, `unknown variable {{${ref.name}}}${hint ? ` (did you mean {{${hint}}}?)` : ''}: declare it under variables: in the front matter, or use a built-in (${BUILT_IN_VARIABLES.join(', ')})`);
  }
  for (const [name, pos] of variablePositions) {
    if (!used.has(name)) problems.warning(pos.line, pos.column, `variable '${name}' is declared but never used`);
  }

  // Links, images and in-lab anchors (outside check and hint blocks, which are not rendered as text).
  for (const link of findLinks(tokens)) {
    const problem = checkLink(link, { stepIds: new Set(usedIds.keys()), ...(options.assetExists ? { assetExists: options.assetExists } : {}) });
    if (!problem) continue;
    const [l, c] = locateHref(lines, link.map, link.href);
    problems.add({ ...at(l, c), ...problem });
  }
  for (const hint of hintBlocks) lintHintLinks(hint, new Set(usedIds.keys()), problems, options);

  // Steps.
  const steps: LabStep[] = [];
  for (const section of sections.slice(1)) {
    const s = section.step!;
    const graded = section.checks.length > 0;
    if (!graded && s.points !== undefined && s.points > 0) {
      problems.warning(s.heading.line, s.heading.column, `step '${s.id}' has no checks, so its ${s.points} points can never be earned; add a check or remove points=`);
    }
    if (!graded && section.hints.some((h) => h.afterAttempts !== undefined && h.afterMinutes === undefined)) {
      problems.warning(s.heading.line, s.heading.column, `step '${s.id}' has no checks, so a hint shown after-attempts=N never shows; use after-minutes=M`);
    }
    steps.push({
      id: s.id,
      title: s.title,
      markdown: sliceMarkdown(lines, section.contentStart, section.end, stripped),
      points: s.points ?? (graded ? DEFAULT_STEP_POINTS : 0),
      checks: section.checks,
      hints: section.hints,
      hasSolution: options.solveScripts.has(s.id),
      waits: s.waits,
      position: s.heading,
    });
  }
  if (!steps.length && header) problems.warning(bodyLine, 1, 'this lab has no steps: each ## heading starts one');
  const stepIds = new Set(steps.map((s) => s.id));
  const solveDir = file.replace(/[^/\\]*$/, '') + 'solve/';
  for (const id of [...options.solveScripts].sort()) {
    // solve/cleanup.sh is the lab's own clean-up for `labrunner test`, unless a step is called `cleanup`.
    if (id === 'cleanup' && !stepIds.has(id)) continue;
    if (!stepIds.has(id)) problems.add({ file: `${solveDir}${id}.sh`, line: 1, column: 1, severity: 'warning', message: `solve/${id}.sh matches no step (step ids: ${[...stepIds].join(', ') || 'none'})` });
  }

  const first = sections[0]!;
  const result: ParseLabResult = { problems: problems.toArray(), ...partial };
  if (header && !problems.hasErrors) {
    result.lab = { ...header, introduction: sliceMarkdown(lines, first.contentStart, first.end, stripped), steps };
  }
  return result;
}

/** Reads one ```check block: the checker, its title and its YAML parameters, validated by the checker's schema. */
function parseCheck(
  token: Token,
  fence: SourcePosition,
  indent: number,
  problems: ProblemList,
  options: ParseLabOptions,
  sample: Record<string, string>,
  known: ReadonlySet<string>,
): CheckSpec | undefined {
  const info = parseCheckInfo(token.info);
  if (!info.checker) {
    problems.error(fence.line, fence.column, 'this check names no checker: write ```check <checker-id> [title], e.g. ```check ecr.repository-exists');
    return undefined;
  }
  const checker = info.checker;
  // `{{name}}` would be a YAML flow mapping where a value starts with it; parse it as text, then put it back.
  const yamlText = token.content.replace(/\{\{(\s*[A-Za-z][A-Za-z0-9_]*\s*)\}\}/g, '\u27e6\u27e6$1\u27e7\u27e7');
  const parsed = parseLocatedYaml(yamlText, { line: fence.line + 1, column: indent + 1 });
  for (const m of parsed.messages) problems.add({ ...m, message: `check ${checker}: ${m.message}` });
  if (parsed.messages.some((m) => m.severity === 'error')) return undefined;
  const data = restoreVariables(yamlToData(parsed) ?? {});
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    problems.error(fence.line + 1, indent + 1, `check ${checker}: the parameters must be key: value lines, not a list or a single value`);
    return undefined;
  }
  const params = data as Record<string, unknown>;
  const schema = options.checkerSchemas(checker);
  if (!schema) {
    const hint = suggest(checker, options.knownCheckers ?? []);
    problems.error(fence.line, fence.column, `unknown checker '${checker}'${hint ? ` (did you mean '${hint}'?)` : ''}`);
    return undefined;
  }
  // An unknown {{variable}} is reported where it is; validating with it unresolved would only add noise.
  if (findVariableReferences(token.content).some((r) => !known.has(r.name))) return undefined;
  let outcome: ReturnType<ParamSchema<unknown>['parse']>;
  try {
    outcome = schema.parse(substituteInValue(params, sample));
  } catch (err) {
    problems.error(fence.line, fence.column, `check ${checker}: the checker's parameter schema failed (a bug in the checker): ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
  if (!outcome.ok) {
    for (const p of outcome.problems) problems.error(fence.line, fence.column, `check ${checker}: ${p.path ? `'${p.path}': ` : ''}${p.message}`);
    return undefined;
  }
  return { checker, params, ...(info.title ? { title: info.title } : {}), position: fence };
}

function restoreVariables(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(/\u27e6\u27e6(\s*[A-Za-z][A-Za-z0-9_]*\s*)\u27e7\u27e7/g, '{{$1}}');
  if (Array.isArray(value)) return value.map(restoreVariables);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [restoreVariables(k) as string, restoreVariables(v)]));
  }
  return value;
}

function lintHintLinks(hint: HintBlock, stepIds: ReadonlySet<string>, problems: ProblemList, options: ParseLabOptions): void {
  const hintLines = hint.token.content.split('\n');
  for (const link of findLinks(md.parse(hint.token.content, {}))) {
    const problem = checkLink(link, { stepIds, ...(options.assetExists ? { assetExists: options.assetExists } : {}) });
    if (!problem) continue;
    const [l, c] = locateHref(hintLines, link.map, link.href);
    problems.add({ line: hint.fence.line + 1 + l, column: hint.indent + c + 1, ...problem });
  }
}

/** Whether a fence has its closing line (markdown-it runs an unclosed fence to the end of the document). */
function isClosed(lines: readonly string[], token: Token): boolean {
  const [start, end] = token.map!;
  if (end - start < 2) return false;
  const last = (lines[end - 1] ?? '').trim();
  const char = token.markup[0]!;
  return last.length >= token.markup.length && [...last].every((c) => c === char);
}

/** The Markdown of lines [start, end) without check and hint blocks, trimmed of blank lines at both ends. */
function sliceMarkdown(lines: readonly string[], start: number, end: number, stripped: ReadonlySet<number>): string {
  const kept: string[] = [];
  for (let l = start; l < end; l++) if (!stripped.has(l)) kept.push(lines[l]!);
  while (kept.length && !kept[0]!.trim()) kept.shift();
  while (kept.length && !kept[kept.length - 1]!.trim()) kept.pop();
  return kept.join('\n');
}

/** `labs/ecr-basics/lab.md` → `ecr-basics`. */
function folderOf(file: string): string | undefined {
  const parts = file.split(/[/\\]/).filter(Boolean);
  return parts.length >= 2 ? parts[parts.length - 2] : undefined;
}
