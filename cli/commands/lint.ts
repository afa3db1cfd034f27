import type { Command } from 'commander';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { builtInCheckers } from '../../checkers/index.ts';
import type { LabProblem } from '../../server/core/lab/index.ts';
import { createLintRegistry, loadLabFolder, type ICheckerSchemas } from '../../server/labs/index.ts';
import { LABS_DIR } from '../paths.ts';

/** What one lint run found. */
export interface LintReport {
  /** `file:line:col severity message`, sorted by file and position, then the summary line. */
  lines: string[];
  labs: number;
  errors: number;
  warnings: number;
}

export interface LintOptions {
  checkers: ICheckerSchemas;
  /** Linted when no path is given: every folder in it. */
  labsDir: string;
  /** Paths in messages are relative to this folder. */
  cwd: string;
}

/**
 * Lints lab folders (or their lab.md files) with the same loader the server uses, so what lint accepts the
 * server serves. Never throws for a bad path: that is an error line too.
 */
export async function lintLabs(paths: readonly string[], options: LintOptions): Promise<LintReport> {
  const dirs = paths.length ? paths.map((p) => path.resolve(options.cwd, p)) : await labFolders(options.labsDir);
  const problems: LabProblem[] = [];
  const show = (p: string) => path.relative(options.cwd, p) || '.';
  for (const target of dirs) {
    const dir = (await isFile(target)) ? path.dirname(target) : target;
    if (!(await isDirectory(dir))) {
      problems.push({ file: show(target), line: 1, column: 1, severity: 'error', message: 'no such lab folder or lab.md' });
      continue;
    }
    const result = await loadLabFolder(dir, { checkers: options.checkers, displayFile: show(path.join(dir, 'lab.md')) });
    problems.push(...result.problems);
  }
  const lines = problems.map((p) => `${p.file}:${p.line}:${p.column} ${p.severity} ${p.message}`);
  const errors = problems.filter((p) => p.severity === 'error').length;
  const warnings = problems.length - errors;
  const labs = `${dirs.length} ${dirs.length === 1 ? 'lab' : 'labs'}`;
  lines.push(problems.length ? `${labs} checked: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}` : `${labs} checked: no problems`);
  return { lines, labs: dirs.length, errors, warnings };
}

/** `labrunner lint [paths…]`: checks labs the way the server loads them; exit code 1 on any error. */
export function registerLintCommand(program: Command): void {
  program
    .command('lint')
    .description('check lab folders for errors (front matter, steps, checks and their parameters, variables, links); default: every lab in labs/')
    .argument('[paths...]', 'lab folders or lab.md files')
    .action(async (paths: string[]) => {
      const report = await lintLabs(paths, { checkers: createLintRegistry(builtInCheckers), labsDir: LABS_DIR, cwd: process.cwd() });
      for (const line of report.lines) console.log(line);
      if (report.errors) process.exitCode = 1;
    });
}

async function labFolders(labsDir: string): Promise<string[]> {
  try {
    const entries = await readdir(labsDir, { withFileTypes: true });
    return entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => path.join(labsDir, e.name)).sort();
  } catch {
    return [];
  }
}

async function isFile(p: string): Promise<boolean> {
  return stat(p).then((s) => s.isFile(), () => false);
}

async function isDirectory(p: string): Promise<boolean> {
  return stat(p).then((s) => s.isDirectory(), () => false);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
