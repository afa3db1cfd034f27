import { describe, expect, it } from 'vitest';
import { fail, pass, checkError } from '../checks.ts';
import { applyResults, initialProgress, labScore, revealHints } from './progress.ts';

const step = { points: 10, hints: [{ text: 'h1', afterAttempts: 2 }, { text: 'h2', afterMinutes: 5 }] };
const ok = [pass('ok')];
const missing = [fail('missing', 'create it')];

describe('grading a step', () => {
  it('awards the points on the first pass and records when', () => {
    const p = applyResults(initialProgress(0), step, ok, 'button', 1000);
    expect(p).toMatchObject({ status: 'passed', pointsAwarded: 10, firstPassedAt: 1000, attempts: 1, failedAttempts: 0 });
  });

  it('counts failed attempts only when the learner asked', () => {
    let p = applyResults(initialProgress(0), step, missing, 'button', 1);
    p = applyResults(p, step, missing, 'auto', 2);
    expect(p).toMatchObject({ status: 'failed', attempts: 1, failedAttempts: 1, pointsAwarded: 0 });
  });

  it('keeps the points but shows "broken" when a passed step later fails', () => {
    let p = applyResults(initialProgress(0), step, ok, 'button', 1);
    p = applyResults(p, step, missing, 'auto', 2);
    expect(p).toMatchObject({ status: 'broken', pointsAwarded: 10, firstPassedAt: 1 });
    p = applyResults(p, step, ok, 'auto', 3);
    expect(p).toMatchObject({ status: 'passed', pointsAwarded: 10, firstPassedAt: 1 });
  });

  it('never blames the learner for a check that could not run', () => {
    const p = applyResults(initialProgress(0), step, [checkError('timeout')], 'button', 1);
    expect(p).toMatchObject({ status: 'not-started', failedAttempts: 0, attempts: 1 });
    const passed = applyResults(applyResults(initialProgress(0), step, ok, 'button', 1), step, [checkError('x')], 'auto', 2);
    expect(passed.status).toBe('passed');
  });

  it('a step passes only when every check passes', () => {
    const p = applyResults(initialProgress(0), step, [pass('a'), fail('b', 'fix b')], 'button', 1);
    expect(p.status).toBe('failed');
  });

  it('reveals hints after enough failed attempts or enough time, and keeps them revealed', () => {
    let p = applyResults(initialProgress(0), step, missing, 'button', 1);
    expect(p.revealedHints).toEqual([]);
    p = applyResults(p, step, missing, 'button', 2);
    expect(p.revealedHints).toEqual([0]);
    expect(revealHints(p, step.hints, 5 * 60_000)).toEqual([0, 1]);
  });

  it('scores a lab from the points awarded', () => {
    const steps = [{ id: 'a', points: 10 }, { id: 'b', points: 5 }];
    const progress = new Map([['a', applyResults(initialProgress(0), step, ok, 'button', 1)]]);
    expect(labScore(steps, progress)).toEqual({ earned: 10, total: 15 });
  });
});
