/**
 * The gradebook, pure: one row per student, lab and graded step, and its CSV. Display names are typed by
 * students, so a CSV cell that a spreadsheet would run as a formula is neutralised (OWASP "CSV injection").
 */
import { stringify } from 'csv-stringify/sync';
import type { StepProgress } from '../grading/progress.ts';
import type { GradebookRowView } from '../protocol.ts';
import type { LabOutline } from './dashboard.ts';
import type { Student } from './model.ts';

/** A student on a graded step (the wire type, so the JSON export and the CSV agree). */
export type GradebookRow = GradebookRowView;

/** The CSV's columns, in order: the header row uses these names. */
export const GRADEBOOK_COLUMNS: readonly { key: keyof GradebookRow; header: string }[] = [
  { key: 'student', header: 'student' },
  { key: 'rosterId', header: 'roster_id' },
  { key: 'learnerId', header: 'learner_id' },
  { key: 'lab', header: 'lab' },
  { key: 'step', header: 'step' },
  { key: 'status', header: 'status' },
  { key: 'points', header: 'points' },
  { key: 'pointsPossible', header: 'points_possible' },
  { key: 'attempts', header: 'attempts' },
  { key: 'firstPassedAt', header: 'first_passed_at' },
  { key: 'total', header: 'total' },
  { key: 'totalPossible', header: 'total_possible' },
];

/** Rows for each student (in the order given), each lab and each graded step. */
export function gradebookRows(
  students: readonly Student[],
  labs: readonly LabOutline[],
  progressOf: (learnerId: string, labId: string) => ReadonlyMap<string, StepProgress>,
): GradebookRow[] {
  const rows: GradebookRow[] = [];
  for (const student of students) {
    const progress = new Map(labs.map((lab) => [lab.id, progressOf(student.learnerId, lab.id)]));
    let total = 0;
    let totalPossible = 0;
    for (const lab of labs) {
      for (const step of lab.steps.filter((s) => s.graded)) {
        total += progress.get(lab.id)?.get(step.id)?.pointsAwarded ?? 0;
        totalPossible += step.points;
      }
    }
    for (const lab of labs) {
      for (const step of lab.steps.filter((s) => s.graded)) {
        const p = progress.get(lab.id)?.get(step.id);
        rows.push({
          student: student.displayName,
          rosterId: student.rosterId ?? '',
          learnerId: student.learnerId,
          lab: lab.id,
          step: step.id,
          status: p?.status ?? 'not-started',
          points: p?.pointsAwarded ?? 0,
          pointsPossible: step.points,
          attempts: p?.attempts ?? 0,
          firstPassedAt: p?.firstPassedAt !== undefined ? new Date(p.firstPassedAt).toISOString() : '',
          total,
          totalPossible,
        });
      }
    }
  }
  return rows;
}

/** A spreadsheet runs a cell starting with one of these as a formula (a tab or CR can hide the sign). */
const FORMULA_START = /^[=+\-@\t\r]/;

/** Prefixes an apostrophe to text a spreadsheet would treat as a formula; other text is unchanged. */
export function neutraliseFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** The gradebook as CSV (RFC 4180 quoting, a header row, CRLF line ends as spreadsheets expect). */
export function gradebookCsv(rows: readonly GradebookRow[]): string {
  return stringify(
    rows.map((r) => GRADEBOOK_COLUMNS.map((c) => r[c.key])),
    {
      header: true,
      columns: GRADEBOOK_COLUMNS.map((c) => c.header),
      record_delimiter: 'windows',
      cast: { string: (value) => neutraliseFormula(value) },
    },
  );
}
