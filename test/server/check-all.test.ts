import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { builtInCheckers, nodeDeadlines } from '../../checkers/index.ts';
import { PROJECT_ROOT } from '../../cli/paths.ts';
import type { AwsClients } from '../../server/aws/clients.ts';
import { CheckerRegistry } from '../../server/core/grading/checker-registry.ts';
import { GradingService } from '../../server/grading/index.ts';
import { createLabRenderer, createLintRegistry, FileLabCatalog } from '../../server/labs/index.ts';
import { SqliteProgressStore } from '../../server/store/index.ts';

const LABS = path.join(PROJECT_ROOT, 'test', 'fixtures', 'labs');

/** "Check all steps": where a learner stands in the whole lab, without counting steps they have not tried. */
describe('checking all steps at once', () => {
  let dataDir: string;
  let store: SqliteProgressStore;
  let grading: GradingService;
  const workspace = () => path.join(dataDir, 'ws');

  beforeEach(() => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'labrunner-checkall-'));
    mkdirSync(workspace());
    store = SqliteProgressStore.open(dataDir);
    const checkers = new CheckerRegistry<AwsClients>(nodeDeadlines);
    checkers.registerAll(builtInCheckers as never);
    grading = new GradingService({
      labs: new FileLabCatalog(LABS, { checkers: createLintRegistry(builtInCheckers), variableSecret: 'test-secret' }),
      store,
      checkers,
      // No AWS target: the repository step's check cannot run (an error, never the learner's mistake).
      workspaceOf: () => workspace(),
      shellEnvOf: async () => ({ PATH: '/usr/bin:/bin', HOME: workspace() }),
      renderMarkdown: createLabRenderer(),
      now: Date.now,
    });
  });
  afterEach(() => {
    grading.dispose();
    store.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('records the steps that pass and leaves untried failing steps untouched', async () => {
    const before = await grading.checkAll('ann', 'graded');
    // Nothing done yet: nothing recorded, no attempt counted, no hint unlocked.
    expect(before.steps.answer).toMatchObject({ status: 'not-started', attempts: 0, hintsHtml: [] });
    expect(store.recentAttempts('ann', 'graded', 10)).toHaveLength(0);

    writeFileSync(path.join(workspace(), 'answer.txt'), '42\n');
    const after = await grading.checkAll('ann', 'graded');
    expect(after.steps.answer).toMatchObject({ status: 'passed', attempts: 0, pointsAwarded: 5 });
    expect(after.score.earned).toBe(5);
    // The AWS step could not run here: it stays as it was, and its error is not recorded as a try.
    expect(after.steps.repo!.status).toBe('not-started');
    expect(store.recentAttempts('ann', 'graded', 10).map((a) => a.stepId)).toEqual(['answer']);
  });

  it('notices a passed step that broke, keeping its points', async () => {
    writeFileSync(path.join(workspace(), 'answer.txt'), '42\n');
    await grading.checkAll('bob', 'graded');
    writeFileSync(path.join(workspace(), 'answer.txt'), 'no\n');
    const broken = await grading.checkAll('bob', 'graded');
    expect(broken.steps.answer).toMatchObject({ status: 'broken', pointsAwarded: 5 });
    expect(broken.steps.answer!.results[0]).toMatchObject({ status: 'fail' });
  });

  it('tells listeners (the learner’s tabs, the dashboard) once per run', async () => {
    const seen: string[] = [];
    grading.onProgress((change) => seen.push(change.learnerId));
    await grading.checkAll('cy', 'graded');
    expect(seen).toEqual(['cy']);
  });
});
