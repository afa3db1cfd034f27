import { describe, expect, it } from 'vitest';
import { pass, fail } from '../checks.ts';
import { applyResults, initialProgress, type StepProgress } from '../grading/progress.ts';
import type { LabOutline } from './dashboard.ts';
import { gradebookCsv, gradebookRows, neutraliseFormula } from './gradebook.ts';
import type { Student } from './model.ts';

const lab: LabOutline = {
  id: 'ecr',
  title: 'ECR',
  steps: [
    { id: 'intro', title: 'Read', points: 0, graded: false, hints: [] },
    { id: 'repo', title: 'Repo', points: 10, graded: true, hints: [] },
    { id: 'push', title: 'Push', points: 5, graded: true, hints: [] },
  ],
};
const students: Student[] = [
  { learnerId: 's-ann', classroomId: 'c', displayName: 'Ann', rosterId: 'A1', joinedAt: 0 },
  { learnerId: 's-eve', classroomId: 'c', displayName: '=HYPERLINK("http://evil.example","x")', joinedAt: 0 },
];
const T = Date.UTC(2026, 0, 2, 3, 4, 5);
const progress = new Map<string, Map<string, StepProgress>>([
  ['s-ann', new Map([['repo', applyResults(applyResults(initialProgress(0), { points: 10, hints: [] }, [fail('no', 'do it')], 'button', T - 1), { points: 10, hints: [] }, [pass('ok')], 'button', T)]])],
]);
const rows = gradebookRows(students, [lab], (learnerId) => progress.get(learnerId) ?? new Map());

describe('gradebook', () => {
  it('has a row per student and graded step with points, attempts, first pass and the student\'s total', () => {
    expect(rows).toHaveLength(4);
    expect(rows[0]).toEqual({
      student: 'Ann', rosterId: 'A1', learnerId: 's-ann', lab: 'ecr', step: 'repo', status: 'passed',
      points: 10, pointsPossible: 10, attempts: 2, firstPassedAt: '2026-01-02T03:04:05.000Z', total: 10, totalPossible: 15,
    });
    expect(rows[1]).toMatchObject({ step: 'push', status: 'not-started', points: 0, attempts: 0, firstPassedAt: '', total: 10 });
    expect(rows[3]).toMatchObject({ learnerId: 's-eve', total: 0 });
  });

  it('writes CSV with a header, and neutralises cells a spreadsheet would run as formulas', () => {
    const lines = gradebookCsv(rows).split('\r\n');
    expect(lines[0]).toBe('student,roster_id,learner_id,lab,step,status,points,points_possible,attempts,first_passed_at,total,total_possible');
    expect(lines[1]).toBe('Ann,A1,s-ann,ecr,repo,passed,10,10,2,2026-01-02T03:04:05.000Z,10,15');
    expect(lines[3]).toBe(`"'=HYPERLINK(""http://evil.example"",""x"")",,s-eve,ecr,repo,not-started,0,10,0,,0,15`);
    for (const bad of ['+1', '-1+2', '@SUM(A1)', '\t=1', '\r=1']) expect(neutraliseFormula(bad)).toBe(`'${bad}`);
    expect(neutraliseFormula('Ann-Marie')).toBe('Ann-Marie');
  });
});
