import { describe, expect, it } from 'vitest';
import {
  formatReport,
  judgeReadingSolve,
  judgeStep,
  labOk,
  plainText,
  shellQuote,
  solveEnvironment,
  stopsTheLab,
  summarize,
  untestedStep,
  type CheckOutcome,
  type LabReport,
  type SolveOutcome,
  type StepReport,
} from '../../server/authoring/verdict.ts';

const fail = (title: string): CheckOutcome => ({ title, status: 'fail', message: `${title} is not there.` });
const pass = (title: string): CheckOutcome => ({ title, status: 'pass', message: `${title} is there.` });
const error = (title: string): CheckOutcome => ({ title, status: 'error', message: 'the sandbox did not answer' });
const solved: SolveOutcome = { exitCode: 0, timedOut: false, durationMs: 1200, output: 'done\n' };

describe('judgeStep', () => {
  it('passes a step whose checks all fail before and all pass after', () => {
    expect(judgeStep({ before: [fail('a'), fail('b')], solve: solved, after: [pass('a'), pass('b')], timeoutMs: 1000 })).toEqual({
      verdict: 'passed',
      problems: [],
      before: 'fail 2/2',
      after: 'pass 2/2',
    });
  });

  it('reports exactly the checks that already pass before the solution as vacuous', () => {
    const v = judgeStep({ before: [pass('a'), fail('b')], solve: solved, after: [pass('a'), pass('b')], timeoutMs: 1000 });
    expect(v.verdict).toBe('failed');
    expect(v.problems).toEqual([{ kind: 'vacuous', check: 'a', message: 'a is there.' }]);
    expect(v.before).toBe('VACUOUS 1/2');
  });

  it('lets a step that waits for an earlier step\'s effect pass before its own solution', () => {
    const v = judgeStep({ before: [pass('a')], solve: solved, after: [pass('a')], timeoutMs: 1000, waits: true });
    expect(v.verdict).toBe('passed');
    expect(v.problems).toEqual([]);
  });

  it('reports an error before the solution as an error, not as vacuous or as fine', () => {
    const v = judgeStep({ before: [error('a'), fail('b')], solve: solved, after: [pass('a'), pass('b')], timeoutMs: 1000 });
    expect(v.problems).toEqual([{ kind: 'check-error', phase: 'before', check: 'a', message: 'the sandbox did not answer' }]);
    expect(v.before).toBe('ERROR 1/2');
    expect(v.verdict).toBe('failed');
  });

  it('fails on a solution that exits non-zero, without judging the checks after it', () => {
    const v = judgeStep({ before: [fail('a')], solve: { ...solved, exitCode: 2, output: 'oops' }, timeoutMs: 1000 });
    expect(v.problems).toEqual([{ kind: 'solve-exit', exitCode: 2, output: 'oops' }]);
    expect(v.after).toBe('SOLVE EXIT 2');
  });

  it('fails on a solution that timed out', () => {
    const v = judgeStep({ before: [fail('a')], solve: { timedOut: true, durationMs: 5000, output: 'waiting' }, timeoutMs: 5000 });
    expect(v.problems).toEqual([{ kind: 'solve-timeout', timeoutMs: 5000, output: 'waiting' }]);
    expect(v.after).toBe('SOLVE TIMEOUT');
  });

  it('names each check that still fails after the solution, and errors after it', () => {
    const v = judgeStep({ before: [fail('a'), fail('b'), fail('c')], solve: solved, after: [pass('a'), fail('b'), error('c')], timeoutMs: 1000 });
    expect(v.problems).toEqual([
      { kind: 'still-failing', check: 'b', message: 'b is not there.', output: 'done\n' },
      { kind: 'check-error', phase: 'after', check: 'c', message: 'the sandbox did not answer' },
    ]);
    expect(v.after).toBe('FAIL 1/3');
  });

  it('reports both a vacuous check and a broken solution in one step', () => {
    const v = judgeStep({ before: [pass('a')], solve: { ...solved, exitCode: 1 }, timeoutMs: 1000 });
    expect(v.problems.map((p) => p.kind)).toEqual(['vacuous', 'solve-exit']);
  });
});

describe('stopsTheLab', () => {
  const step = (v: ReturnType<typeof judgeStep>): StepReport => ({ stepId: 's', title: 'S', durationMs: 0, ...v });
  it('stops after a solution that did not work, but not after a vacuous check or an error before', () => {
    expect(stopsTheLab(step(judgeStep({ before: [fail('a')], solve: { ...solved, exitCode: 1 }, timeoutMs: 1 })))).toBe(true);
    expect(stopsTheLab(step(judgeStep({ before: [fail('a')], solve: solved, after: [fail('a')], timeoutMs: 1 })))).toBe(true);
    expect(stopsTheLab(step(judgeStep({ before: [pass('a')], solve: solved, after: [pass('a')], timeoutMs: 1 })))).toBe(false);
    expect(stopsTheLab(step(judgeStep({ before: [error('a')], solve: solved, after: [pass('a')], timeoutMs: 1 })))).toBe(false);
  });
});

describe('steps that are not tested', () => {
  it('lists graded steps without a solution, reading steps, and steps after a failure, none of them failed', () => {
    expect(untestedStep('x', 'X', 'no-solution')).toMatchObject({ verdict: 'no-solution', before: 'no solution', after: 'not tested', problems: [] });
    expect(untestedStep('x', 'X', 'reading')).toMatchObject({ verdict: 'reading', before: 'reading', after: '-' });
    expect(untestedStep('x', 'X', 'not-run')).toMatchObject({ verdict: 'not-run', before: 'not run' });
    expect(labOk({ errors: [], steps: [untestedStep('x', 'X', 'no-solution'), untestedStep('y', 'Y', 'reading')] })).toBe(true);
  });

  it("fails a reading step whose solution exits non-zero, and passes one whose solution works", () => {
    expect(judgeReadingSolve('r', 'R', solved, 1000)).toMatchObject({ verdict: 'reading', after: 'solved' });
    expect(judgeReadingSolve('r', 'R', { ...solved, exitCode: 3 }, 1000)).toMatchObject({ verdict: 'failed', after: 'SOLVE EXIT 3', problems: [{ kind: 'solve-exit', exitCode: 3 }] });
    expect(judgeReadingSolve('r', 'R', { timedOut: true, durationMs: 9, output: '' }, 1000)).toMatchObject({ verdict: 'failed', problems: [{ kind: 'solve-timeout' }] });
  });
});

describe('the report', () => {
  const confined = { confined: true };
  const lab = (labId: string, steps: StepReport[], errors: string[] = []): LabReport => ({ labId, ok: labOk({ steps, errors }), steps, errors, warnings: [], durationMs: 100 });
  const good = { stepId: 'create-repo', title: 'Create', durationMs: 1500, ...judgeStep({ before: [fail('a')], solve: solved, after: [pass('a')], timeoutMs: 1 }) };
  const vacuous = { stepId: 'push', title: 'Push', durationMs: 12_400, ...judgeStep({ before: [pass('image pushed')], solve: solved, after: [pass('image pushed')], timeoutMs: 1 }) };

  it('prints a table, the problems under it, and a summary', () => {
    const report = summarize([lab('ecr-basics', [good, vacuous, untestedStep('recap', 'Recap', 'reading')]), lab('other', [untestedStep('a', 'A', 'no-solution')])], confined);
    expect(report.ok).toBe(false);
    expect(formatReport(report)).toEqual([
      'lab         step         before       after       time',
      '----------  -----------  -----------  ----------  ----',
      'ecr-basics  create-repo  fail 1/1     pass 1/1    1.5s',
      'ecr-basics  push         VACUOUS 1/1  pass 1/1     12s',
      'ecr-basics  recap        reading      -           0.0s',
      'other       a            no solution  not tested  0.0s',
      '',
      'ecr-basics/push: check "image pushed" already passes before the solution (vacuous): image pushed is there.',
      'other/a: no solution: not tested (add solve/a.sh)',
      '',
      '2 labs, 4 steps: 1 passed, 1 failed, 1 without solution, 1 reading — 1 lab FAILED',
    ]);
  });

  it("shows a solution's output under its failure, and a lab that could not be tested", () => {
    const broken = { stepId: 'push', title: 'Push', durationMs: 100, ...judgeStep({ before: [fail('a')], solve: { ...solved, exitCode: 1, output: 'line 1\nline 2\n' }, timeoutMs: 1 }) };
    const report = summarize([lab('a', [broken]), lab('b', [], ['the lab does not load (run labrunner lint):'])], confined);
    const lines = formatReport(report);
    expect(lines).toContain('b    -     -         LAB ERROR     0.1s');
    expect(lines.slice(lines.indexOf('a/push: solve/push.sh exited with 1'))).toEqual([
      'a/push: solve/push.sh exited with 1',
      '  | line 1',
      '  | line 2',
      'b: the lab does not load (run labrunner lint):',
      '',
      '2 labs, 1 steps: 0 passed, 1 failed — 2 labs FAILED',
    ]);
  });

  it('is clean when every lab is', () => {
    const report = summarize([lab('ecr-basics', [good])], confined);
    expect(report).toMatchObject({ ok: true, summary: { labs: 1, failedLabs: 0, steps: 1, passed: 1, failed: 0 } });
    expect(formatReport(report).at(-1)).toBe('1 lab, 1 steps: 1 passed, 0 failed');
  });

  it("starts with a caveat when the learner was not confined, and lists the run's warnings", () => {
    const report = summarize([lab('ecr-basics', [good])], { confined: false, reason: 'learner isolation needs the server to run as root' }, ['a leftover user']);
    const lines = formatReport(report);
    expect(lines[0]).toBe(
      "Note: the learner was not confined (learner isolation needs the server to run as root). Checks of built images may pass before their step (vacuous) because the learner shares this machine's container engine, where an earlier build of the same name may still be.",
    );
    expect(lines[1]).toBe('');
    expect(lines[2]).toMatch(/^lab\s+step/);
    expect(lines.slice(-3)).toEqual(['warning: a leftover user', '', '1 lab, 1 steps: 1 passed, 0 failed']);
    expect(report.ok).toBe(true);
  });
});

describe('helpers', () => {
  it("passes a lab's variables under their own names, but never one that could overwrite the shell's own", () => {
    expect(solveEnvironment({ suffix: 'k3x9q2', accountId: '123456789012', PATH: '/evil', HOME: '/tmp' })).toEqual({ suffix: 'k3x9q2', accountId: '123456789012' });
  });

  it('quotes words for bash', () => {
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote('a b')).toBe(`'a b'`);
  });

  it('turns terminal output into plain text', () => {
    expect(plainText('\x1b]0;title\x07\x1b[1;32mlearner\x1b[0m:~$ ls\r\nfile\r\nprogress 10%\rprogress 100%\r\n')).toBe('learner:~$ ls\nfile\nprogress 100%\n');
  });
});
