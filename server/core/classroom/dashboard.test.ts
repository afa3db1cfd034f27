import { describe, expect, it } from 'vitest';
import { fail, pass } from '../checks.ts';
import { applyResults, initialProgress, type StepProgress } from '../grading/progress.ts';
import { buildStudentRow, plainText, type LabOutline, type StudentState } from './dashboard.ts';
import { DEFAULT_STUCK, type Student } from './model.ts';

const MIN = 60_000;
const lab: LabOutline = {
  id: 'ecr',
  title: 'ECR',
  steps: [
    { id: 'intro', title: 'Read this', points: 0, graded: false, hints: [] },
    { id: 'repo', title: 'Create the repository', points: 10, graded: true, hints: [] },
    { id: 'push', title: 'Push the image', points: 5, graded: true, hints: ['Run `docker push {{registry}}/app`.'] },
  ],
};
const ann: Student = { learnerId: 's-ann', classroomId: 'c1', displayName: 'Ann', joinedAt: 0 };
const state = (progress: Record<string, StepProgress>, extra: Partial<StudentState> = {}): StudentState => ({
  student: ann,
  online: true,
  progress: new Map([['ecr', new Map(Object.entries(progress))]]),
  ...extra,
});
const passedAt = (at: number) => applyResults(initialProgress(0), { points: 10, hints: [] }, [pass('ok')], 'button', at);
const failedTimes = (n: number, hints = lab.steps[2]!) => {
  let p = initialProgress(0);
  for (let i = 0; i < n; i++) p = applyResults(p, { points: 5, hints: hints.hints.map((text) => ({ text, afterAttempts: 2 })) }, [fail('no image', 'push it')], 'button', MIN * (i + 1));
  return p;
};

describe('dashboard rows', () => {
  it('shows the first step not passed as current, each cell since the previous step passed, and the score', () => {
    const row = buildStudentRow(state({ repo: passedAt(3 * MIN) }), [lab], DEFAULT_STUCK, 4 * MIN);
    expect(row.labs.ecr).toEqual({
      currentStepId: 'push',
      score: { earned: 10, total: 15 },
      steps: {
        repo: { status: 'passed', attempts: 1, startedAt: 0, firstPassedAt: 3 * MIN },
        push: { status: 'not-started', attempts: 0, startedAt: 3 * MIN },
      },
    });
    expect(row.stuck).toBeUndefined();
  });

  it('flags K failed checks on the current step, with the progressive hint the student saw as plain text', () => {
    const row = buildStudentRow(
      state({ repo: passedAt(MIN), push: failedTimes(3) }, { variables: new Map([['ecr', { registry: 'reg.example' }]]) }),
      [lab],
      DEFAULT_STUCK,
      5 * MIN,
    );
    expect(row.stuck).toEqual({
      reason: 'failed-attempts',
      labId: 'ecr',
      stepId: 'push',
      message: '3 failed checks on “Push the image”',
      lastHint: 'Run docker push reg.example/app.',
    });
  });

  it('uses the failing check\'s hint when no progressive hint was revealed', () => {
    const noHints = { ...lab, steps: lab.steps.map((s) => ({ ...s, hints: [] })) };
    const row = buildStudentRow(state({ push: failedTimes(3, noHints.steps[2]!) }), [noHints], DEFAULT_STUCK, 5 * MIN);
    expect(row.stuck).toBeUndefined(); // failures on a later step are not the current step's
    const onRepo = buildStudentRow(state({ repo: failedTimes(3, noHints.steps[1]!) }), [noHints], DEFAULT_STUCK, 5 * MIN);
    expect(onRepo.stuck).toMatchObject({ reason: 'failed-attempts', stepId: 'repo', lastHint: 'push it' });
  });

  it('flags no progress for N minutes while steps remain, and not once everything passed', () => {
    const row = buildStudentRow(state({ repo: passedAt(MIN) }), [lab], { noProgressMinutes: 10, failedAttempts: 3 }, 11 * MIN);
    expect(row.stuck).toMatchObject({ reason: 'no-progress', stepId: 'push', message: 'No step passed for 10 minutes (on “Push the image”)' });
    expect(buildStudentRow(state({ repo: passedAt(MIN) }), [lab], { noProgressMinutes: 10, failedAttempts: 3 }, 10 * MIN).stuck).toBeUndefined();
    const done = buildStudentRow(state({ repo: passedAt(MIN), push: passedAt(2 * MIN) }), [lab], DEFAULT_STUCK, 60 * MIN);
    expect(done.stuck).toBeUndefined();
    expect(done.labs.ecr!.currentStepId).toBeUndefined();
  });

  it('never flags a revoked student', () => {
    const revoked = buildStudentRow({ ...state({ push: failedTimes(5) }), student: { ...ann, revokedAt: 1 } }, [lab], DEFAULT_STUCK, 60 * MIN);
    expect(revoked).toMatchObject({ revoked: true });
    expect(revoked.stuck).toBeUndefined();
  });

  it('turns Markdown into one line of text', () => {
    expect(plainText('Run **this**:\n\n```bash\naws ecr describe-repositories\n```\nSee [the docs](https://x).')).toBe('Run this: aws ecr describe-repositories See the docs.');
  });
});
