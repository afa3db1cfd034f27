import type { LabStepView, LabView } from '../../../server/core/protocol.ts';
import { el, flash } from '../dom.ts';

/**
 * The introduction, then one section per step: its text, its points and the checks it has, with a Check
 * button per step (wired by the grading client; disabled until then). HTML comes from the server, rendered
 * by markdown-it with raw HTML disabled.
 */
export function renderInstructions(root: HTMLElement, lab: LabView): void {
  if (!lab.available || !lab.steps) {
    root.innerHTML = lab.html;
    return;
  }
  const intro = el('div', { class: 'lab-intro' });
  intro.innerHTML = lab.introductionHtml;
  root.replaceChildren(intro, ...lab.steps.map(stepSection));
}

function stepSection(step: LabStepView): HTMLElement {
  const headingId = `step-${step.id}-title`;
  const heading = el('h2', { id: headingId });
  heading.innerHTML = step.titleHtml;
  const body = el('div', { class: 'step-body' });
  body.innerHTML = step.html;
  const section = el('section', { id: `step-${step.id}`, class: 'lab-step', 'aria-labelledby': headingId, 'data-step': step.id }, heading, body);
  if (step.checks.length) {
    const points = step.points === 1 ? '1 point' : `${step.points} points`;
    section.append(
      el(
        'div',
        { class: 'step-checks' },
        el('ul', { class: 'check-list', 'aria-label': `Checks for this step (${points})` }, ...step.checks.map((c) => el('li', {}, c.title))),
        el('button', { type: 'button', class: 'check-button', 'data-step': step.id, 'aria-label': `Check: ${heading.textContent ?? step.id}`, disabled: '' }, 'Check'),
        el('span', { class: 'check-result', role: 'status', 'aria-live': 'polite' }),
      ),
    );
  }
  return section;
}

/**
 * Every code block gets "Copy" and, for shell commands, "Run in terminal". Their accessible names start with
 * the visible text and add the command's first line, so a list of buttons tells them apart.
 */
export function addCodeButtons(root: HTMLElement, run: (text: string) => void): void {
  for (const pre of root.querySelectorAll('pre')) {
    const code = pre.textContent ?? '';
    const firstLine = code.trim().split('\n')[0]!.replace(/\s*\\$/, '');
    const what = firstLine.length > 60 ? `${firstLine.slice(0, 57)}…` : firstLine;
    const bar = el('div', { class: 'code-actions' });
    const copy = el('button', { type: 'button', 'aria-label': `Copy: ${what}` }, 'Copy');
    copy.addEventListener('click', () => {
      void navigator.clipboard?.writeText(code.trimEnd()).then(
        () => flash(copy, 'Copied'),
        () => flash(copy, 'Copy failed'),
      );
    });
    bar.append(copy);
    const lang = pre.querySelector('code')?.className ?? '';
    if (/language-(bash|sh|shell|console)\b/.test(lang)) {
      const runBtn = el('button', { type: 'button', class: 'run-button', 'aria-label': `Run in terminal: ${what}` }, 'Run in terminal');
      runBtn.addEventListener('click', () => run(code.trimEnd() + '\r'));
      bar.append(runBtn);
    }
    pre.before(bar);
  }
}

/** Author mode: what `labrunner lint` says about this lab, above its instructions. */
export function showProblems(root: HTMLElement, lab: LabView): void {
  if (!lab.problems?.length) return;
  const list = el('ul', {}, ...lab.problems.map((p) => el('li', {}, `${p.file}:${p.line}:${p.column} ${p.severity} ${p.message}`)));
  root.prepend(el('aside', { class: 'lab-problems', 'aria-label': 'Problems in this lab' }, el('strong', {}, 'labrunner lint:'), list));
}
