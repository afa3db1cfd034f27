/**
 * `labrunner test` on the fixture labs in test/fixtures/labs-broken/ (file and shell checks, no containers):
 * the runner must report exactly what is wrong with each, and pass the good one. Where this machine can confine
 * learners (root, with the tools), the default run is confined, so these also prove the confined path; that
 * the learner really is confined, and is removed afterwards, has its own test.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, CLIENT_DIST, PROJECT_ROOT } from '../../cli/paths.ts';
import { testLabs, type LabReport, type TestReport } from '../../server/authoring/index.ts';
import { Confinement, LEARNER_UID_RANGE } from '../../server/confinement/index.ts';

const FIXTURES = path.join(PROJECT_ROOT, 'test', 'fixtures', 'labs-broken');

describe('labrunner test on the fixture labs', () => {
  let labsDir: string;
  let report: TestReport;
  const lab = (id: string): LabReport => {
    const found = report.labs.find((l) => l.labId === id);
    if (!found) throw new Error(`no report for ${id}`);
    return found;
  };

  beforeAll(async () => {
    // The fixtures, plus a lab whose solution never ends (to see the step timeout and the shell recover).
    labsDir = mkdtempSync(path.join(os.tmpdir(), 'labtest-fixtures-'));
    cpSync(FIXTURES, labsDir, { recursive: true });
    mkdirSync(path.join(labsDir, 'hangs', 'solve'), { recursive: true });
    writeFileSync(
      path.join(labsDir, 'hangs', 'lab.md'),
      '---\nid: hangs\ntitle: Hangs\nsummary: A solution that never ends.\n---\n\n## Wait {#wait}\n\n```check file done.txt exists\npath: done.txt\n```\n',
    );
    writeFileSync(path.join(labsDir, 'hangs', 'solve', 'wait.sh'), 'echo waiting for ever\nsleep 600\n');
    writeFileSync(path.join(labsDir, 'hangs', 'solve', 'cleanup.sh'), 'echo the shell is back\n');
    chmodSync(path.join(labsDir, 'hangs', 'solve', 'wait.sh'), 0o755);
    report = await testLabs(undefined, { labsDir, bin: BIN, clientDir: CLIENT_DIST, stepTimeoutMs: 3000, settleMs: 0 });
  }, 120_000);
  afterAll(() => {
    if (labsDir) rmSync(labsDir, { recursive: true, force: true });
  });

  it('tests every lab in the folder by default, and fails the run', () => {
    expect(report.labs.map((l) => l.labId)).toEqual(['broken-solve', 'hangs', 'passing', 'vacuous']);
    expect(report.ok).toBe(false);
    expect(report.summary).toMatchObject({ labs: 4, failedLabs: 3 });
    // By default the learner is confined exactly when this machine can confine.
    const unavailable = Confinement.unavailable();
    expect(report.isolation).toEqual(unavailable ? { confined: false, reason: unavailable } : { confined: true });
    expect(report.warnings).toEqual([]);
  });

  it('reports exactly the vacuous check, and still runs the solution and the checks after it', () => {
    const vacuous = lab('vacuous');
    expect(vacuous.ok).toBe(false);
    expect(vacuous.errors).toEqual([]);
    expect(vacuous.steps).toHaveLength(1);
    const step = vacuous.steps[0]!;
    expect(step.problems).toEqual([{ kind: 'vacuous', check: 'answer.txt says 42', message: "'answer.txt' has the expected content." }]);
    expect(step.checksBefore?.map((c) => c.status)).toEqual(['pass', 'fail']);
    expect(step.checksAfter?.map((c) => c.status)).toEqual(['pass', 'pass']);
  });

  it('reports exactly the broken solution, with its output, and runs nothing after it', () => {
    const broken = lab('broken-solve');
    expect(broken.steps.map((s) => [s.stepId, s.verdict])).toEqual([
      ['first', 'passed'],
      ['second', 'failed'],
      ['third', 'not-run'],
    ]);
    expect(broken.steps.flatMap((s) => s.problems)).toEqual([{ kind: 'solve-exit', exitCode: 1, output: expect.stringContaining('writing the second answer') }]);
    expect(broken.errors).toEqual([]);
  });

  it('interrupts a solution that runs too long, and the shell goes on', () => {
    const hangs = lab('hangs');
    expect(hangs.steps[0]).toMatchObject({ verdict: 'failed', after: 'SOLVE TIMEOUT', problems: [{ kind: 'solve-timeout', timeoutMs: 3000, output: expect.stringContaining('waiting for ever') }] });
    expect(hangs.cleanup).toMatchObject({ exitCode: 0, output: expect.stringContaining('the shell is back') });
  });

  it("passes the good lab: variables reach the solution, reading steps are listed, a step without solution is reported, cleanup.sh runs", () => {
    const passing = lab('passing');
    expect(passing.errors).toEqual([]);
    expect(passing.ok).toBe(true);
    expect(passing.steps.map((s) => [s.stepId, s.verdict, s.after])).toEqual([
      ['intro', 'reading', '-'],
      ['notes', 'reading', 'solved'],
      ['name', 'passed', 'pass 2/2'],
      ['unsolved', 'no-solution', 'not tested'],
    ]);
    expect(passing.cleanup).toMatchObject({ exitCode: 0, output: expect.stringContaining('cleaned up') });
  });
});

describe.skipIf(Confinement.unavailable() !== undefined)('labrunner test with a confined learner', () => {
  let labsDir: string;
  let report: TestReport;

  beforeAll(async () => {
    // The solution and the check each say who runs them: both must be the same learner's own OS user.
    labsDir = mkdtempSync(path.join(os.tmpdir(), 'labtest-confined-'));
    mkdirSync(path.join(labsDir, 'whoami', 'solve'), { recursive: true });
    writeFileSync(
      path.join(labsDir, 'whoami', 'lab.md'),
      [
        '---\nid: whoami\ntitle: Who runs it\nsummary: The solution and the check run as the confined learner.\n---\n',
        '## Say who you are {#whoami}\n',
        '```check shell The solution ran as the user this check runs as, and neither is root',
        'command: test "$(id -u)" != 0 && test "$(cat whoami.txt)" = "$(id -u)"',
        '```\n',
      ].join('\n'),
    );
    writeFileSync(path.join(labsDir, 'whoami', 'solve', 'whoami.sh'), 'cd ~\nid -u >whoami.txt\necho "uid=$(cat whoami.txt)"\n');
    // Not readable by others, as an author's files may be: the learner (another user) must still get to run it.
    chmodSync(path.join(labsDir, 'whoami', 'solve', 'whoami.sh'), 0o600);
    report = await testLabs(undefined, { labsDir, bin: BIN, clientDir: CLIENT_DIST, settleMs: 0, isolation: 'on' });
  }, 120_000);
  afterAll(() => {
    if (labsDir) rmSync(labsDir, { recursive: true, force: true });
  });

  it("runs the solution in the learner's own confined shell and the checks as that learner, then removes the learner's OS user", () => {
    expect(report.isolation).toEqual({ confined: true });
    const lab = report.labs[0]!;
    expect(lab.errors).toEqual([]);
    expect(lab.steps.map((s) => [s.stepId, s.verdict, s.before, s.after])).toEqual([['whoami', 'passed', 'fail 1/1', 'pass 1/1']]);
    const uid = Number(/uid=(\d+)/.exec(lab.steps[0]!.solve?.output ?? '')?.[1]);
    expect(uid).toBeGreaterThanOrEqual(LEARNER_UID_RANGE.first);
    expect(uid).toBeLessThanOrEqual(LEARNER_UID_RANGE.last);
    // getent exits 2 when no user has that uid.
    expect(spawnSync('getent', ['passwd', String(uid)]).status).toBe(2);
    expect(report.warnings).toEqual([]);
  });
});

describe('the labrunner test command', () => {
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, [BIN, 'test', '--labs-dir', FIXTURES, '--settle', '0', ...args], { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 120_000 });

  it('exits 1 and prints a JSON report when a lab fails or does not exist', () => {
    const run = cli('--json', 'vacuous', 'broken-solve', 'no-such-lab');
    expect(run.status, run.stderr).toBe(1);
    const report = JSON.parse(run.stdout) as TestReport;
    expect(report.labs.map((l) => [l.labId, l.ok])).toEqual([
      ['vacuous', false],
      ['broken-solve', false],
      ['no-such-lab', false],
    ]);
    expect(report.labs[2]!.errors).toEqual([`there is no lab 'no-such-lab' in ${FIXTURES}`]);
    expect(report.labs.flatMap((l) => l.steps.flatMap((s) => s.problems.map((p) => `${l.labId}/${s.stepId}: ${p.kind}`)))).toEqual(['vacuous/answers: vacuous', 'broken-solve/second: solve-exit']);
  }, 120_000);

  it('exits 0 and prints the table when every lab passes', () => {
    const run = cli('passing');
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^lab\s+step\s+before\s+after\s+time$/m);
    expect(run.stdout).toMatch(/^passing\s+name\s+fail 2\/2\s+pass 2\/2\s+\S+$/m);
    expect(run.stdout).toContain('passing/unsolved: no solution: not tested (add solve/unsolved.sh)');
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe('1 lab, 4 steps: 1 passed, 0 failed, 1 without solution, 2 reading');
  }, 120_000);

  it('says above the table when the learner was not confined (--isolation off)', () => {
    const run = cli('--isolation', 'off', 'passing');
    expect(run.status, run.stdout + run.stderr).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toMatch(/^Note: the learner was not confined \(isolation is off\)\. Checks of built images may pass before their step \(vacuous\)/);
    expect(lines[2]).toMatch(/^lab\s+step\s+before\s+after\s+time$/);
  }, 120_000);

  it('refuses a bad --isolation with the allowed choices', () => {
    const run = cli('--isolation', 'maybe', 'passing');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("argument 'maybe' is invalid. Allowed choices are auto, on, off.");
  });
});
