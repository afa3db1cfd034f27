/** Collects {@link LabProblem}s for one file; sorted by position, capped so a pathological file stays readable. */
import type { LabProblem } from './model.ts';

/** More problems than this in one file are summarised in a last line. */
export const MAX_PROBLEMS_PER_FILE = 200;

export class ProblemList {
  private readonly _items: LabProblem[] = [];

  constructor(readonly file: string) {}

  error(line: number, column: number, message: string): void {
    this._items.push({ file: this.file, line, column, severity: 'error', message });
  }

  warning(line: number, column: number, message: string): void {
    this._items.push({ file: this.file, line, column, severity: 'warning', message });
  }

  /** Adds a located problem; `file` when it is about another file of the lab (a solve script). */
  add(p: { line: number; column: number; severity: 'error' | 'warning'; message: string; file?: string }): void {
    this._items.push({ file: p.file ?? this.file, line: p.line, column: p.column, severity: p.severity, message: p.message });
  }

  get hasErrors(): boolean {
    return this._items.some((p) => p.severity === 'error');
  }

  /** Sorted by line, then column; the first {@link MAX_PROBLEMS_PER_FILE} and a line saying how many more. */
  toArray(): LabProblem[] {
    const sorted = [...this._items].sort((a, b) => Number(a.file !== this.file) - Number(b.file !== this.file) || a.line - b.line || a.column - b.column);
    if (sorted.length <= MAX_PROBLEMS_PER_FILE) return sorted;
    const shown = sorted.slice(0, MAX_PROBLEMS_PER_FILE);
    const rest = sorted.slice(MAX_PROBLEMS_PER_FILE);
    const last = rest[0]!;
    const errors = rest.filter((p) => p.severity === 'error').length;
    shown.push({
      file: this.file,
      line: last.line,
      column: last.column,
      severity: errors ? 'error' : 'warning',
      message: `${rest.length} more problems not shown (${errors} errors); fix the ones above first`,
    });
    return shown;
  }
}
