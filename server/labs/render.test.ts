import { describe, expect, it } from 'vitest';
import { parseLab } from '../core/lab/index.ts';
import { createLabRenderer, renderLabView } from './render.ts';

const lab = (body: string) => {
  const text = `---\nid: demo\ntitle: Demo\nsummary: S\nvariables:\n  suffix: { kind: random-suffix }\n---\n${body}`;
  const { lab, problems } = parseLab('demo/lab.md', text, {
    checkerSchemas: () => ({ parse: (raw) => ({ ok: true, value: raw }) }),
    solveScripts: new Set(),
  });
  expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
  return lab!;
};

describe('renderLabView', () => {
  it('substitutes variables in text, code, titles and check titles', () => {
    const view = renderLabView(lab('## Make `repo-{{suffix}}`\n\nRun `x {{suffix}}`\n\n```check a.b Repo repo-{{suffix}}\nname: repo-{{suffix}}\n```\n'), { suffix: 'k3x9q2' });
    expect(view.steps[0]).toEqual({
      id: 'make-repo-suffix',
      title: 'Make `repo-k3x9q2`',
      titleHtml: 'Make <code>repo-k3x9q2</code>',
      html: '<p>Run <code>x k3x9q2</code></p>\n',
      points: 10,
      checks: [{ title: 'Repo repo-k3x9q2' }],
    });
  });

  it('does not render check or hint blocks, even inside lists', () => {
    const view = renderLabView(lab('## A\n\n1. Do it\n\n   ```check a.b\n   name: x\n   ```\n\n   ```hint after-minutes=1\n   secret hint\n   ```\n2. Then this\n'), {});
    expect(view.steps[0]!.html).not.toMatch(/name: x|secret hint|<pre>/);
    expect(view.steps[0]!.html).toContain('Then this');
    expect(view.steps[0]!.checks).toEqual([{ title: 'a.b' }]);
  });

  it('keeps raw HTML escaped and foreign images out', () => {
    // (lint reports the foreign image as an error; the renderer drops it regardless)
    const html = createLabRenderer()('<script>alert(1)</script>\n\n![x](https://evil.example/p.png) [ok](https://docs.aws.amazon.com/)', 'demo');
    expect(html).toContain('&lt;script&gt;');
    expect(html).toContain('<img src="" alt="x">');
    expect(html).toContain('<a href="https://docs.aws.amazon.com/" target="_blank" rel="noopener noreferrer">ok</a>');
  });

  it('encodes asset URLs once', () => {
    expect(createLabRenderer()('![a](assets/my%20pic.png)', 'demo')).toContain('src="/labs/demo/assets/my%20pic.png"');
  });
});
