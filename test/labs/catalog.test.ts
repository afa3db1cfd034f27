import { cp, mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { builtInCheckers } from '../../checkers/index.ts';
import { PROJECT_ROOT } from '../../cli/paths.ts';
import { createLintRegistry, FileLabCatalog } from '../../server/labs/index.ts';

const FIXTURES = path.join(PROJECT_ROOT, 'test/fixtures/labs');
let labsDir: string;
let catalog: FileLabCatalog;

beforeEach(async () => {
  labsDir = await mkdtemp(path.join(tmpdir(), 'labrunner-catalog-'));
  await cp(FIXTURES, labsDir, { recursive: true });
  await mkdir(path.join(labsDir, 'not-a-lab')); // a folder without lab.md is not listed
  catalog = new FileLabCatalog(labsDir, { checkers: createLintRegistry(builtInCheckers), variableSecret: 'test-secret' });
});
afterEach(async () => {
  await rm(labsDir, { recursive: true, force: true });
});

describe('FileLabCatalog', () => {
  it('lists every lab, a broken one as unavailable with its problems', async () => {
    const labs = await catalog.list();
    expect(labs.map((l) => [l.id, l.available, l.problems?.filter((p) => p.severity === 'error').length ?? 0])).toEqual([
      ['broken', false, 9],
      ['complete', true, 0],
      ['graded', true, 0],
    ]);
    expect(labs[0]).toMatchObject({ title: 'A lab with mistakes', summary: 'Every kind of mistake lint should find.' });
    expect(labs[0]!.problems![0]).toEqual({
      file: 'broken/lab.md',
      line: 5,
      column: 1,
      severity: 'error',
      message: `front matter 'difficulty': Invalid option: expected one of "beginner"|"intermediate"|"advanced"`,
    });
    expect(labs[1]).toEqual({
      id: 'complete',
      title: 'Push your first image',
      summary: 'Create an ECR repository with scan on push, then push an image to it.',
      durationMinutes: 25,
      difficulty: 'beginner',
      environment: 'sandbox',
      available: true,
    });
  });

  it("shows a lab with the learner's variables, steps apart and check and hint blocks left out", async () => {
    const view = (await catalog.view('complete', { learnerId: 'alice', accountId: '111122223333', region: 'eu-west-1', registry: '111122223333.dkr.ecr.eu-west-1.amazonaws.com' }))!;
    const suffix = (await catalog.variables('complete', { learnerId: 'alice' }))!.suffix!;
    expect(suffix).toMatch(/^[a-z0-9]{6}$/);
    expect(view).toMatchObject({ id: 'complete', available: true, autoCheck: true, totalPoints: 30 });
    expect(view.introductionHtml).toContain(`<strong>myrepo-${suffix}</strong> in account 111122223333`);
    expect(view.introductionHtml).toContain('<img src="/labs/complete/assets/diagram.svg" alt="How the pieces fit">');
    expect(view.steps.map((s) => [s.id, s.title, s.points, s.checks])).toEqual([
      ['create-repo', 'Create the repository', 20, [{ title: `Repository myrepo-${suffix} has scan on push` }]],
      ['push', 'Push an image', 10, [{ title: `The image is in myrepo-${suffix}` }]],
      ['recap', 'What you built', 0, []],
    ]);
    const [create, push, recap] = view.steps;
    expect(create!.html).toContain(`aws ecr create-repository --repository-name myrepo-${suffix}`);
    expect(push!.html).toContain('your registry, 111122223333.dkr.ecr.eu-west-1.amazonaws.com, and push it');
    expect(push!.html).toContain('<a href="#step-create-repo">the repository step</a>');
    expect(recap!.html).toContain('<a href="/labs/complete/files/Dockerfile">Dockerfile</a>');
    for (const html of [view.html, ...view.steps.map((s) => s.html)]) {
      expect(html).not.toMatch(/scanOnPush: true|check ecr|after-attempts|The flag is|Log in first|\{\{/);
    }
    expect(view.html).toContain('<section id="step-push" class="lab-step">\n<h2>Push an image</h2>');
    // Other learners get other values; the same learner always gets the same.
    expect((await catalog.variables('complete', { learnerId: 'bob' }))!.suffix).not.toBe(suffix);
    expect((await catalog.view('complete', { learnerId: 'alice' }))!.introductionHtml).toContain(`myrepo-${suffix}`);
  });

  it('leaves variables as written when no learner is given', async () => {
    expect((await catalog.view('complete'))!.introductionHtml).toContain('<strong>myrepo-{{suffix}}</strong> in account {{accountId}}');
  });

  it("explains a broken lab's problems in its view", async () => {
    const view = (await catalog.view('broken'))!;
    expect(view).toMatchObject({ available: false, steps: [], totalPoints: 0 });
    expect(view.html).toContain('This lab cannot be opened: its files have 9 errors.');
    expect(view.html).toContain('<code>broken/lab.md:23:1</code> duplicate step id &#39;create-repo&#39;');
  });

  it('parses once, and again when lab.md or its solve scripts change', async () => {
    const first = await catalog.get('complete');
    expect(await catalog.get('complete')).toEqual(first);
    const file = path.join(labsDir, 'complete/lab.md');
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace('title: Push your first image', 'title: Push an image, revised'));
    expect((await catalog.get('complete'))!.title).toBe('Push an image, revised');
    expect((await catalog.get('complete'))!.definition!.steps.map((s) => s.hasSolution)).toEqual([true, false, false]);
    await writeFile(path.join(labsDir, 'complete/solve/push.sh'), '#!/bin/sh\n');
    expect((await catalog.get('complete'))!.definition!.steps.map((s) => s.hasSolution)).toEqual([true, true, false]);
  });

  it('reports a missing asset once it is deleted, and a lab.md that is gone', async () => {
    await rm(path.join(labsDir, 'complete/assets/diagram.svg'));
    const entry = (await catalog.get('complete'))!;
    expect(entry.available).toBe(false);
    expect(entry.problems.map((p) => `${p.line}:${p.column} ${p.message}`)).toEqual(["17:23 'assets/diagram.svg' does not exist in the lab folder"]);
    await rm(path.join(labsDir, 'complete/lab.md'));
    expect(await catalog.get('complete')).toBeUndefined();
  });

  it('refuses an oversized lab.md without reading it into the parser, and binary junk', async () => {
    await writeFile(path.join(labsDir, 'complete/lab.md'), Buffer.alloc(3 * 1024 * 1024, 0x41));
    expect((await catalog.get('complete'))!.problems).toEqual([
      { file: 'complete/lab.md', line: 1, column: 1, severity: 'error', message: 'lab.md is 3 MiB; the limit is 1 MiB (move large content to assets/ or files/)' },
    ]);
    await writeFile(path.join(labsDir, 'broken/lab.md'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0xff, 0x00]));
    expect((await catalog.get('broken'))!.problems.map((p) => `${p.line}:${p.column} ${p.message}`)).toEqual([
      '1:1 lab.md must be UTF-8 text, but it contains bytes that are not UTF-8 here; is it a binary file?',
    ]);
  });

  it('does not know ids outside the lab id alphabet', async () => {
    expect(await catalog.get('../complete')).toBeUndefined();
    expect(await catalog.view('Complete')).toBeUndefined();
  });
});
