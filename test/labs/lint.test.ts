import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { builtInCheckers } from '../../checkers/index.ts';
import { BIN, LABS_DIR, PROJECT_ROOT } from '../../cli/paths.ts';
import { lintLabs } from '../../cli/commands/lint.ts';
import { parseLab } from '../../server/core/lab/index.ts';
import { createLintRegistry } from '../../server/labs/index.ts';

const run = promisify(execFile);
const FIXTURES = 'test/fixtures/labs';
const checkers = createLintRegistry(builtInCheckers);
const lint = (...paths: string[]) => lintLabs(paths, { checkers, labsDir: LABS_DIR, cwd: PROJECT_ROOT });

const BROKEN = [
  `${FIXTURES}/broken/lab.md:5:1 error front matter 'difficulty': Invalid option: expected one of "beginner"|"intermediate"|"advanced"`,
  `${FIXTURES}/broken/lab.md:6:1 error unknown front matter key 'colour' (known keys: id, title, summary, duration, difficulty, environment, autoCheck, containers, variables)`,
  `${FIXTURES}/broken/lab.md:9:39 error 'assets/arch.png' does not exist in the lab folder`,
  `${FIXTURES}/broken/lab.md:13:1 error unknown checker 'ecr.repository-exist' (did you mean 'ecr.repository-exists'?)`,
  `${FIXTURES}/broken/lab.md:17:1 error check ecr.repository-exists: 'name': Invalid input: expected string, received undefined`,
  `${FIXTURES}/broken/lab.md:17:1 error check ecr.repository-exists: 'scanOnPush': Invalid input: expected boolean, received string`,
  `${FIXTURES}/broken/lab.md:21:13 error unknown variable {{suffx}}: declare it under variables: in the front matter, or use a built-in (accountId, region, registry, learnerId)`,
  `${FIXTURES}/broken/lab.md:21:48 error link to '#push-image', but no step has that id (steps: create-repo)`,
  `${FIXTURES}/broken/lab.md:23:1 error duplicate step id 'create-repo' (also used by the step on line 11)`,
  `${FIXTURES}/broken/solve/ghost.sh:1:1 warning solve/ghost.sh matches no step (step ids: create-repo)`,
];

describe('labrunner lint', () => {
  it('prints every problem of a broken lab as file:line:col severity message, then a summary', async () => {
    const report = await lint(`${FIXTURES}/broken`);
    expect(report.lines).toEqual([...BROKEN, '1 lab checked: 9 errors, 1 warning']);
    expect(report).toMatchObject({ labs: 1, errors: 9, warnings: 1 });
  });

  it('accepts a lab.md path as well as its folder, and passes a complete valid lab', async () => {
    expect((await lint(`${FIXTURES}/complete/lab.md`)).lines).toEqual(['1 lab checked: no problems']);
  });

  it('reports a path that is not a lab', async () => {
    expect((await lint('test/fixtures/labs/nope')).lines).toEqual([
      'test/fixtures/labs/nope:1:1 error no such lab folder or lab.md',
      '1 lab checked: 1 error, 0 warnings',
    ]);
    expect((await lint('test/fixtures')).lines[0]).toBe('test/fixtures/lab.md:1:1 error there is no lab.md in fixtures/');
  });

  it('finds the bundled labs clean', async () => {
    const report = await lint();
    expect(report.lines.at(-1)).toMatch(/^\d+ labs? checked: no problems$/);
    expect(report.labs).toBeGreaterThan(0);
  });

  it('exits 1 on errors and 0 on the bundled labs, as a command', async () => {
    const failed = await run(process.execPath, [BIN, 'lint', `${FIXTURES}/broken`, `${FIXTURES}/complete`], { cwd: PROJECT_ROOT }).then(
      () => undefined,
      (err: { code: number; stdout: string }) => err,
    );
    expect(failed?.code).toBe(1);
    expect(failed!.stdout.trim().split('\n')).toEqual([...BROKEN, '2 labs checked: 9 errors, 1 warning']);

    const ok = await run(process.execPath, [BIN, 'lint'], { cwd: path.join(PROJECT_ROOT, 'labs') });
    expect(ok.stdout).toMatch(/^\d+ labs? checked: no problems\n$/);
  });

  it('finds the complete example in docs/lab-format.md valid', async () => {
    const doc = await readFile(path.join(PROJECT_ROOT, 'docs/lab-format.md'), 'utf8');
    const example = /````markdown\n([\s\S]*?)\n````/.exec(doc)![1]!;
    const { lab, problems } = parseLab('docs/lab-format.md', example, {
      checkerSchemas: (id) => checkers.schemaFor(id),
      solveScripts: new Set(['create-repo']),
      labId: 'ecr-first-push',
    });
    expect(problems).toEqual([]);
    expect(lab!.steps.map((s) => [s.id, s.points, s.checks.length, s.hints.length])).toEqual([
      ['create-repo', 20, 1, 1],
      ['push', 10, 1, 1],
      ['recap', 0, 0, 0],
    ]);
  });
});
