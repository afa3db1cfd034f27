import { describe, expect, it } from 'vitest';
import type { ParamSchema } from '../checks.ts';
import { MAX_LAB_BYTES, parseLab, type ParseLabOptions } from './index.ts';

/** A fake registry: `ecr.repository-exists` wants `name` (string) and optional `scanOnPush` (boolean). */
const repoSchema: ParamSchema<{ name: string; scanOnPush?: boolean }> = {
  parse(raw) {
    const r = raw as Record<string, unknown>;
    const problems = [];
    if (typeof r.name !== 'string') problems.push({ path: 'name', message: 'Required' });
    else if (!/^[a-z0-9-]+$/.test(r.name)) problems.push({ path: 'name', message: 'must be a repository name' });
    if (r.scanOnPush !== undefined && typeof r.scanOnPush !== 'boolean') problems.push({ path: 'scanOnPush', message: 'Expected boolean' });
    for (const k of Object.keys(r)) if (!['name', 'scanOnPush'].includes(k)) problems.push({ path: k, message: 'Unrecognized key' });
    return problems.length ? { ok: false, problems } : { ok: true, value: r as { name: string } };
  },
};
const options = (extra: Partial<ParseLabOptions> = {}): ParseLabOptions => ({
  checkerSchemas: (id) => (id === 'ecr.repository-exists' ? (repoSchema as ParamSchema<unknown>) : undefined),
  knownCheckers: ['ecr.repository-exists'],
  solveScripts: new Set(),
  ...extra,
});
const FILE = 'labs/demo/lab.md';
const FM = ['---', 'id: demo', 'title: Demo', 'summary: A demo lab', '---'];
/** A lab: the usual front matter (lines 1-5), then `body` from line 6. */
const labText = (...body: string[]) => [...FM, ...body].join('\n');
const parse = (text: string, extra: Partial<ParseLabOptions> = {}) => parseLab(FILE, text, options(extra));
/** Problems as `line:col severity message` for compact assertions. */
const lines = (text: string, extra: Partial<ParseLabOptions> = {}) => parse(text, extra).problems.map((p) => `${p.line}:${p.column} ${p.severity} ${p.message}`);

const FULL = `---
id: demo
title: ECR basics
summary: Create a repository and push an image.
duration: 30
difficulty: beginner
environment: sandbox
autoCheck: true
variables:
  suffix: { kind: random-suffix, description: keeps repository names apart }
  tagline: { kind: fixed, value: hello }
---

# ECR basics

Welcome, {{learnerId}}. Your account is {{accountId}}.

## Create the repository {#create-repo points=20}

\`\`\`bash
aws ecr create-repository --repository-name myrepo-{{suffix}}
\`\`\`

\`\`\`check ecr.repository-exists Repository myrepo-{{suffix}} has scan on push
name: myrepo-{{suffix}}
scanOnPush: true
\`\`\`

\`\`\`hint after-attempts=2 after-minutes=5
Did you pass \`--image-scanning-configuration scanOnPush=true\`? ({{tagline}})
\`\`\`

After this, go on to [pushing](#push-the-image).

## Push the image

\`\`\`check ecr.repository-exists
name: {{suffix}}
\`\`\`

## Clean up

Nothing to grade here.
`;

describe('parseLab: a valid lab', () => {
  it('reads front matter, introduction, steps, checks and hints', () => {
    const { lab, problems } = parse(FULL, { solveScripts: new Set(['create-repo']) });
    expect(problems).toEqual([]);
    expect(lab).toMatchObject({
      id: 'demo',
      title: 'ECR basics',
      summary: 'Create a repository and push an image.',
      durationMinutes: 30,
      difficulty: 'beginner',
      environment: 'sandbox',
      autoCheck: true,
      variables: [
        { name: 'suffix', kind: 'random-suffix', description: 'keeps repository names apart' },
        { name: 'tagline', kind: 'fixed', value: 'hello' },
      ],
      introduction: '# ECR basics\n\nWelcome, {{learnerId}}. Your account is {{accountId}}.',
    });
    expect(lab!.steps.map((s) => [s.id, s.title, s.points, s.hasSolution, s.position.line])).toEqual([
      ['create-repo', 'Create the repository', 20, true, 18],
      ['push-the-image', 'Push the image', 10, false, 35],
      ['clean-up', 'Clean up', 0, false, 41],
    ]);
    const [create, push] = lab!.steps;
    expect(create!.checks).toEqual([
      {
        checker: 'ecr.repository-exists',
        title: 'Repository myrepo-{{suffix}} has scan on push',
        params: { name: 'myrepo-{{suffix}}', scanOnPush: true },
        position: { file: FILE, line: 24, column: 1 },
      },
    ]);
    // A value that starts with {{…}} is text, not a YAML flow mapping.
    expect(push!.checks[0]!.params).toEqual({ name: '{{suffix}}' });
    expect(create!.hints).toEqual([{ text: 'Did you pass `--image-scanning-configuration scanOnPush=true`? ({{tagline}})', afterAttempts: 2, afterMinutes: 5 }]);
    // Check and hint blocks are not part of the step's text; other code blocks are.
    expect(create!.markdown).toBe(
      '```bash\naws ecr create-repository --repository-name myrepo-{{suffix}}\n```\n\n\n\nAfter this, go on to [pushing](#push-the-image).',
    );
    expect(push!.markdown).toBe('');
  });

  it('applies defaults: sandbox, no autoCheck, no variables; 10 points with checks, 0 without', () => {
    const { lab, problems } = parse(labText('## Read', 'text', '## Do', '```check ecr.repository-exists', 'name: r', '```'));
    expect(problems).toEqual([]);
    expect(lab).toMatchObject({ environment: 'sandbox', autoCheck: false, containers: false, variables: [], introduction: '' });
    expect(lab!.steps.map((s) => s.points)).toEqual([0, 10]);
  });

  it('reads `containers: true` (the lab runs containers), and only a boolean', () => {
    const declared = (value: string) => parse(['---', 'id: demo', 'title: Demo', 'summary: A demo lab', `containers: ${value}`, '---', '## Read', 'text'].join('\n'));
    expect(declared('true').lab?.containers).toBe(true);
    expect(declared('false').lab?.containers).toBe(false);
    expect(declared('yes').problems.map((p) => `${p.line} ${p.message}`)).toEqual(["5 front matter 'containers': Invalid input: expected boolean, received string"]);
  });

  it('marks a step that waits for an earlier step\'s effect', () => {
    const { lab, problems } = parse(labText('## Put it {#put}', '```check ecr.repository-exists', 'name: r', '```', '## Let it run {#ran waits}', '```check ecr.repository-exists', 'name: r', '```'));
    expect(problems).toEqual([]);
    expect(lab!.steps.map((s) => [s.id, s.waits])).toEqual([['put', false], ['ran', true]]);
  });

  it('accepts a byte-order mark and CRLF line endings with the same line numbers', () => {
    const text = '\ufeff' + labText('## One', '```check nope', 'x: 1', '```').replace(/\n/g, '\r\n');
    expect(lines(text)).toEqual(["7:1 error unknown checker 'nope'"]);
  });

  it('leaves Go templates in docker commands alone', () => {
    expect(lines(labText('## Inspect', "`docker inspect --format '{{.Id}} {{json .Config}}'`"))).toEqual([]);
  });
});

describe('parseLab: malformed files are problems, never exceptions', () => {
  it('reports a missing front matter at 1:1 and still reads the steps', () => {
    expect(lines('# Hello\n\n## Step\n\n{{nope}}\n')).toEqual([
      '1:1 error lab.md must start with YAML front matter: a line ---, then id, title and summary, then a line ---',
      '5:1 error unknown variable {{nope}}: declare it under variables: in the front matter, or use a built-in (accountId, region, registry, learnerId)',
    ]);
  });

  it('reports front matter that is never closed', () => {
    expect(lines('---\nid: demo\ntitle: x\n\n## Step\n')).toEqual(['1:1 error the front matter that starts here is never closed: add a line --- after it']);
  });

  it('reports bad YAML in the front matter at its line', () => {
    const result = lines(['---', 'id: demo', 'title: [unclosed', 'summary: s', '---', '## A'].join('\n'));
    expect(result.length).toBeGreaterThan(0);
    expect(result[0]).toMatch(/^[34]:\d+ error front matter: /);
  });

  it('reports duplicate front matter keys', () => {
    expect(lines(['---', 'id: demo', 'title: A', 'title: B', 'summary: s', '---'].join('\n'))[0]).toMatch(/^4:1 error front matter: Map keys must be unique/);
  });

  it('points zod problems at the key: unknown keys (with a suggestion), wrong types, bad enums, missing keys', () => {
    const text = ['---', 'id: demo', 'title: Demo', 'sumary: typo', 'duration: half an hour', 'difficulty: expert', '  ', '---', '## A'].join('\n');
    expect(lines(text)).toEqual([
      "1:1 error front matter is missing 'summary'",
      "4:1 error unknown front matter key 'sumary' (did you mean 'summary'?)",
      "5:1 error front matter 'duration': Invalid input: expected number, received string",
      `6:1 error front matter 'difficulty': Invalid option: expected one of "beginner"|"intermediate"|"advanced"`,
    ]);
  });

  it('checks variable declarations', () => {
    const text = [
      '---', 'id: demo', 'title: Demo', 'summary: s', 'variables:',
      '  region: { kind: fixed, value: x }', // line 6: built-in name
      '  secret: { kind: fixed }', //          line 7: fixed without value
      '  suffix: { kind: random-suffix, value: abc }', // line 8: value on a generated kind
      '  color: { kind: rainbow }', //          line 9: bad kind
      '---', '## A', '{{secret}} {{suffix}} {{region}}',
    ].join('\n');
    expect(lines(text)).toEqual([
      "9:3 warning variable 'color' is declared but never used",
      `9:12 error front matter 'variables.color.kind': Invalid option: expected one of "random-suffix"|"phrase"|"fixed"`,
    ]);
    const fixedKinds = text.replace('  color: { kind: rainbow }\n', '');
    expect(lines(fixedKinds)).toEqual([
      "6:3 error variable 'region' is built in; choose another name",
      "7:3 error variable 'secret' of kind fixed needs a value",
      "8:34 error variable 'suffix': value is only for kind fixed (random-suffix values are generated per learner)",
    ]);
  });

  it("requires the id to equal the lab's folder name", () => {
    expect(lines(['---', 'id: other', 'title: T', 'summary: S', '---'].join('\n'))).toContain("2:1 error id 'other' must equal the lab's folder name 'demo'");
    expect(parseLab('x/lab.md', ['---', 'id: other', 'title: T', 'summary: S', '---', '## A'].join('\n'), options({ labId: 'other' })).problems).toEqual([]);
  });

  it('reports front matter that is empty or not a mapping', () => {
    expect(lines('---\n---\n')).toEqual(['1:1 error front matter is empty; it needs at least id, title and summary']);
    expect(lines('---\n- a\n- b\n---\n')).toEqual(['2:1 error front matter must be a mapping of keys (id: …, title: …), not a list or a single value']);
  });

  it('reports duplicate step ids at the second heading', () => {
    expect(lines(labText('## Build', 'x', '## Push {#build}'))).toEqual(["8:1 error duplicate step id 'build' (also used by the step on line 6)"]);
  });

  it('reports a lone ## and bad heading attributes', () => {
    expect(lines(labText('##', '## 🚀', '## Go {#Bad_Id points=lots color=red}'))).toEqual([
      '6:1 error this step heading has no title: write ## followed by what the learner does in this step',
      "7:1 error no step id can be made from '🚀'; give one: ## 🚀 {#some-id}",
      "8:8 error step id 'Bad_Id' must be lowercase letters, digits and dashes (at most 64), starting with a letter or digit",
      "8:16 error points must be a whole number of 0 or more, not 'lots'",
      "8:28 error unknown heading attribute 'color=red' (a heading takes {#step-id points=N waits})",
    ]);
  });

  it('reports an unknown checker at the fence, with a suggestion', () => {
    expect(lines(labText('## A', '', '```check ecr.repository-exist', 'name: x', '```'))).toEqual([
      "8:1 error unknown checker 'ecr.repository-exist' (did you mean 'ecr.repository-exists'?)",
    ]);
  });

  it("reports invalid parameters at the fence line, each with its path (validated with sample variable values)", () => {
    const text = labText('## A', '', '```check ecr.repository-exists', 'scanOnPush: yes please', 'tags: 3', '```', '```check ecr.repository-exists', 'name: repo-{{learnerId}}', '```');
    expect(lines(text)).toEqual([
      "8:1 error check ecr.repository-exists: 'name': Required",
      "8:1 error check ecr.repository-exists: 'scanOnPush': Expected boolean",
      "8:1 error check ecr.repository-exists: 'tags': Unrecognized key",
    ]);
  });

  it('maps YAML errors inside a check block to the file line', () => {
    const result = lines(labText('## A', '', '```check ecr.repository-exists', 'name: ok', 'scanOnPush: [true', '```'));
    expect(result).toHaveLength(1);
    expect(result[0]).toMatch(/^1[01]:\d+ error check ecr.repository-exists: /);
    expect(lines(labText('## A', '```check ecr.repository-exists', 'name: a', 'name: b', '```'))).toEqual([
      '9:1 error check ecr.repository-exists: Map keys must be unique',
    ]);
  });

  it('reports check blocks that are not key: value, name no checker, or are never closed', () => {
    expect(lines(labText('## A', '```check ecr.repository-exists', '- a', '```'))).toEqual([
      '8:1 error check ecr.repository-exists: the parameters must be key: value lines, not a list or a single value',
    ]);
    expect(lines(labText('## A', '```check', '```'))[0]).toBe('7:1 error this check names no checker: write ```check <checker-id> [title], e.g. ```check ecr.repository-exists');
    expect(lines(labText('## A', '```check ecr.repository-exists', 'name: x', '## B'))).toEqual([
      '7:1 error this check block is never closed: add a line ``` after it (everything below is inside it now)',
    ]);
  });

  it('reports checks and hints outside a step', () => {
    expect(lines(labText('Intro', '```check ecr.repository-exists', 'name: x', '```', '```hint after-minutes=1', 'h', '```'))).toEqual([
      '7:1 error a check block must be in a step: put it under the ## heading of the step it belongs to',
      '10:1 error a hint block must be in a step: put it under the ## heading of the step it belongs to',
      '6:1 warning this lab has no steps: each ## heading starts one',
    ].sort(byPosition));
  });

  it('reports hints without a condition, with bad options, or empty', () => {
    expect(lines(labText('## A', '```check ecr.repository-exists', 'name: x', '```', '```hint', 'text', '```', '```hint after-attempts=0 when=later', '```'))).toEqual([
      '10:1 error a hint needs after-attempts=N and/or after-minutes=M, e.g. ```hint after-attempts=2',
      "13:1 error after-attempts must be a whole number of 1 or more, not '0'",
      "13:1 error unknown hint option 'when=later' (a hint takes after-attempts=N and/or after-minutes=M)",
      '13:1 error this hint is empty: write the hint in Markdown between the fences',
    ]);
  });

  it('warns about points and attempt hints on a step without checks', () => {
    expect(lines(labText('## Read {points=5}', '```hint after-attempts=1', 'h', '```'))).toEqual([
      "6:1 warning step 'read' has no checks, so its 5 points can never be earned; add a check or remove points=",
      "6:1 warning step 'read' has no checks, so a hint shown after-attempts=N never shows; use after-minutes=M",
    ]);
  });

  it('warns when --- under a paragraph turns it into a step', () => {
    expect(lines(labText('Some text', '---', 'more'))).toEqual([
      "6:1 warning the --- under this line makes 'Some text' a step heading; write '## Some text' if that is meant, or leave a blank line before --- for a horizontal rule",
    ]);
  });

  it('reports an undeclared variable at its position, anywhere in the body', () => {
    const text = labText('## A {#a}', 'Use `repo-{{suffx}}`.', '```check ecr.repository-exists', 'name: r-{{ nope }}', '```');
    expect(lines(text)).toEqual([
      '7:11 error unknown variable {{suffx}}: declare it under variables: in the front matter, or use a built-in (accountId, region, registry, learnerId)',
      '9:9 error unknown variable {{nope}}: declare it under variables: in the front matter, or use a built-in (accountId, region, registry, learnerId)',
    ]);
  });

  it('warns about a declared variable nobody uses', () => {
    expect(lines(['---', 'id: demo', 'title: T', 'summary: S', 'variables:', '  word: { kind: phrase }', '---', '## A'].join('\n'))).toEqual([
      "6:3 warning variable 'word' is declared but never used",
    ]);
  });

  it('refuses a file over 1 MiB without parsing it', () => {
    const huge = labText('## A', 'x'.repeat(MAX_LAB_BYTES));
    expect(lines(huge)).toEqual(['1:1 error lab.md is 1 MiB; the limit is 1 MiB (move large content to assets/ or files/)']);
    expect(lines('é'.repeat(MAX_LAB_BYTES))).toEqual(['1:1 error lab.md is 2 MiB; the limit is 1 MiB (move large content to assets/ or files/)']);
  });

  it('refuses binary junk and text that was not UTF-8', () => {
    expect(lines(labText('## A', 'ok', 'bad\u0000\u0001\u0002'))).toEqual([
      '8:4 error lab.md must be UTF-8 text, but it contains a control character (U+0000) here; is it a binary file?',
    ]);
    expect(lines('\u0089PNG\r\n\u001a\n\ufffd\ufffd')).toEqual([
      '2:1 error lab.md must be UTF-8 text, but it contains a control character (U+001A) here; is it a binary file?',
    ]);
    expect(lines(labText('caf\ufffd'))[0]).toBe('6:4 error lab.md must be UTF-8 text, but it contains bytes that are not UTF-8 here; is it a binary file?');
  });

  it('reports missing assets, links outside the served folders, foreign images and dead anchors', () => {
    const text = labText(
      '![diagram](assets/arch.png) ![ok](assets/ok.png)', // 6
      '[notes](notes.md) [up](../other/lab.md) [abs](/etc/passwd)', // 7
      '![remote](https://example.com/x.png) [docs](https://docs.aws.amazon.com/)', // 8
      '## A {#a}',
      '[next](#b) [self](#a) [file](files/hello.txt) [var](assets/{{learnerId}}.png)', // 10
      '```hint after-minutes=2',
      'See ![missing](assets/hint.png).', // 12
      '```',
    );
    expect(lines(text, { assetExists: (p) => p === 'assets/ok.png' || p === 'files/hello.txt' })).toEqual([
      "6:12 error 'assets/arch.png' does not exist in the lab folder",
      "7:9 error 'notes.md' is not served to learners: only the lab's assets/ and files/ folders are",
      "7:24 error '../other/lab.md' leaves the lab folder; link to assets/… or files/…",
      "7:47 error '/etc/passwd' is an absolute path; link to the lab's own files as assets/… or files/…",
      "8:11 error image 'https://example.com/x.png' is not shown: images must be files in the lab's assets/ folder",
      "10:8 error link to '#b', but no step has that id (steps: a)",
      "12:16 error 'assets/hint.png' does not exist in the lab folder",
    ]);
  });

  it('warns about a solve script that matches no step, in that file (but not the lab\'s cleanup.sh)', () => {
    const { problems } = parse(labText('## A'), { solveScripts: new Set(['a', 'b', 'cleanup']) });
    expect(problems).toEqual([{ file: 'labs/demo/solve/b.sh', line: 1, column: 1, severity: 'warning', message: 'solve/b.sh matches no step (step ids: a)' }]);
  });

  it('reports a checker whose schema throws instead of throwing itself', () => {
    const throwing: ParamSchema<unknown> = {
      parse() {
        throw new Error('boom');
      },
    };
    expect(lines(labText('## A', '```check x.y', 'a: 1', '```'), { checkerSchemas: () => throwing })).toEqual([
      "7:1 error check x.y: the checker's parameter schema failed (a bug in the checker): boom",
    ]);
  });

  it('returns no lab while there are errors, but the title and summary it could read', () => {
    const result = parse(labText('## A', '{{nope}}'));
    expect(result.lab).toBeUndefined();
    expect(result).toMatchObject({ title: 'Demo', summary: 'A demo lab' });
  });

  it('caps the problems of a pathological file', () => {
    const result = parse(labText(...Array.from({ length: 500 }, () => '##')));
    expect(result.problems).toHaveLength(201);
    expect(result.problems.at(-1)!.message).toMatch(/^\d+ more problems not shown/);
  });

  it('never throws on random input', () => {
    const pieces = ['---', '\n', '## ', '{#', '}', '```', 'check ', 'hint ', 'after-attempts=', '{{', '}}', 'x', ': ', '- ', '[', '](', ')', '!', '#', '\t', '"', '&a', '*a', '\ufeff'];
    let seed = 42;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    for (let i = 0; i < 300; i++) {
      let text = '';
      for (let j = rand(80); j > 0; j--) text += pieces[rand(pieces.length)];
      const result = parse(text);
      expect(result.problems.every((p) => p.line >= 1 && p.column >= 1 && !p.message.includes('a bug in labrunner'))).toBe(true);
    }
  });
});

function byPosition(a: string, b: string): number {
  const [la, ca] = a.split(' ')[0]!.split(':').map(Number);
  const [lb, cb] = b.split(' ')[0]!.split(':').map(Number);
  return la! - lb! || ca! - cb!;
}
