import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fail, pass } from '../core/checks.ts';
import { applyResults, initialProgress } from '../core/grading/progress.ts';
import { SqliteProgressStore } from './sqlite-progress-store.ts';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'labrunner-store-'));
  dirs.push(d);
  return d;
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('SqliteProgressStore', () => {
  it('keeps progress and check history across a reopen (a server restart)', () => {
    const dir = tmp();
    const step = { points: 5, hints: [] };
    let store = SqliteProgressStore.open(dir);
    const failed = applyResults(initialProgress(100), step, [fail('no repo', 'create it')], 'button', 200);
    store.recordAttempt({ learnerId: 'ann', labId: 'lab', stepId: 's1', trigger: 'button', at: 200, durationMs: 12, results: failed.lastResults }, failed);
    const passed = applyResults(failed, step, [pass('repo exists')], 'button', 300);
    store.recordAttempt({ learnerId: 'ann', labId: 'lab', stepId: 's1', trigger: 'button', at: 300, durationMs: 9, results: passed.lastResults }, passed);
    store.dispose();

    store = SqliteProgressStore.open(dir);
    const progress = store.loadProgress('ann', 'lab').get('s1');
    expect(progress).toMatchObject({ status: 'passed', attempts: 2, failedAttempts: 1, pointsAwarded: 5, firstPassedAt: 300 });
    expect(store.recentAttempts('ann', 'lab', 10).map((a) => a.results[0]!.status)).toEqual(['pass', 'fail']);
    expect(store.loadProgress('bob', 'lab').size).toBe(0);
    store.dispose();
  });

  it('stores a learner\'s variables once and never changes them', () => {
    const store = SqliteProgressStore.open(tmp());
    expect(store.saveVariablesOnce('ann', 'lab', { suffix: 'abc123' })).toEqual({ suffix: 'abc123' });
    expect(store.saveVariablesOnce('ann', 'lab', { suffix: 'zzz999' })).toEqual({ suffix: 'abc123' });
    expect(store.loadVariables('bob', 'lab')).toBeUndefined();
    store.dispose();
  });
});
