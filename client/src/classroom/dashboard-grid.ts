import type { DashboardCellView, DashboardStudentView, DashboardView } from '../../../server/core/protocol.ts';
import { el } from '../dom.ts';
import { formatDuration, plural } from './format.ts';

export type GridSort = 'name' | 'progress' | 'stuck';
type LabInfo = DashboardView['labs'][number];

/** Status in words and an icon, never by colour alone (the colour only repeats what the text says). */
const CELL_TEXT: Record<DashboardCellView['status'], { icon: string; label: string }> = {
  'not-started': { icon: '·', label: 'Not started' },
  failed: { icon: '✗', label: 'Failed' },
  passed: { icon: '✓', label: 'Passed' },
  broken: { icon: '⚠', label: 'Broken' },
};

/**
 * The live grid: one row per student, one column per step of the selected lab. Each row's name is a button
 * (Tab reaches every row, Enter or a click opens the student's detail; ↑/↓ move between rows). Clocks of
 * current steps carry `data-since` and are advanced by {@link tickClocks} every second.
 */
export class DashboardGrid {
  readonly element: HTMLElement;
  private readonly _table = el('table', { class: 'dashboard-grid' });
  private readonly _summary = el('p', { class: 'grid-summary', 'aria-live': 'polite' });

  constructor(
    private readonly _onOpen: (learnerId: string) => void,
    captionId: string,
  ) {
    this._table.setAttribute('aria-labelledby', captionId);
    // Focusable because it may scroll sideways (many steps, a narrow window).
    this.element = el('div', { class: 'grid-wrap' }, this._summary, el('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': 'Progress grid: students by step' }, this._table));
    this._table.addEventListener('keydown', (ev) => this._onKey(ev));
    this._table.addEventListener('click', (ev) => {
      const row = (ev.target as HTMLElement).closest<HTMLElement>('tr[data-learner]');
      if (row && !(ev.target as HTMLElement).closest('button')) this._onOpen(row.dataset.learner!);
    });
  }

  render(lab: LabInfo | undefined, students: DashboardStudentView[], sort: GridSort, serverNow: () => number, selected?: string): void {
    // Rebuilt whole (at most a few hundred cells); the focused row keeps the focus across the rebuild.
    const focusedLearner = (document.activeElement?.closest('tr[data-learner]') as HTMLElement | null)?.dataset.learner;
    const steps = lab?.steps ?? [];
    const online = students.filter((s) => s.online).length;
    const stuck = students.filter((s) => s.stuck).length;
    this._summary.textContent = `${plural(students.length, 'student')} · ${online} online · ${stuck} stuck`;
    const head = el(
      'tr',
      {},
      el('th', { scope: 'col' }, 'Student'),
      el('th', { scope: 'col' }, 'Progress'),
      ...steps.map((s, i) => el('th', { scope: 'col', title: s.title }, el('span', { class: 'step-number' }, `${i + 1}. `), s.title)),
    );
    const rows = sortStudents(students, lab, sort).map((student) => this._row(student, lab, serverNow, student.learnerId === selected));
    if (!rows.length) rows.push(el('tr', {}, el('td', { colspan: String(steps.length + 2) }, 'No student has joined yet.')));
    this._table.replaceChildren(el('thead', {}, head), el('tbody', {}, ...rows));
    if (focusedLearner) this._rowButton(focusedLearner)?.focus();
  }

  /** Focuses a student's row (when their detail closes, the focus goes back where it came from). */
  focusRow(learnerId: string): void {
    this._rowButton(learnerId)?.focus();
  }

  private _rowButton(learnerId: string): HTMLButtonElement | null {
    return this._table.querySelector<HTMLButtonElement>(`tr[data-learner="${CSS.escape(learnerId)}"] button.student-open`);
  }

  private _row(student: DashboardStudentView, lab: LabInfo | undefined, serverNow: () => number, selected: boolean): HTMLElement {
    const progress = lab ? student.labs[lab.id] : undefined;
    const steps = lab?.steps ?? [];
    const passed = steps.filter((s) => progress?.steps[s.id]?.status === 'passed').length;
    const open = el('button', { type: 'button', class: 'student-open', 'aria-label': `${student.displayName}: open details` }, student.displayName);
    open.addEventListener('click', () => this._onOpen(student.learnerId));
    const nameCell = el(
      'th',
      { scope: 'row', class: 'student-cell' },
      open,
      el('span', { class: 'presence', 'data-online': String(student.online) }, student.revoked ? '⊘ removed' : student.online ? '● online' : '○ offline'),
    );
    if (student.rosterId) nameCell.append(el('span', { class: 'muted roster-id' }, student.rosterId));
    if (student.stuck) {
      nameCell.append(el('span', { class: 'stuck-flag' }, `⚑ Stuck: ${student.stuck.message}`));
      if (student.stuck.lastHint) nameCell.append(el('span', { class: 'last-hint' }, `Last hint: ${student.stuck.lastHint}`));
    }
    const score = progress?.score;
    const progressCell = el('td', { class: 'progress-cell' }, `${passed}/${steps.length} steps`, el('br'), el('span', { class: 'muted' }, score ? `${score.earned}/${score.total} pts` : '–'));
    const cells = steps.map((step) => cell(step.id, progress?.steps[step.id], step.id === progress?.currentStepId, serverNow));
    const row = el('tr', { 'data-learner': student.learnerId }, nameCell, progressCell, ...cells);
    if (student.stuck) row.classList.add('stuck');
    if (selected) row.setAttribute('aria-current', 'true');
    return row;
  }

  private _onKey(ev: KeyboardEvent): void {
    if (ev.key !== 'ArrowDown' && ev.key !== 'ArrowUp' && ev.key !== 'Home' && ev.key !== 'End') return;
    const buttons = [...this._table.querySelectorAll<HTMLButtonElement>('button.student-open')];
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
    if (at < 0) return;
    const next = ev.key === 'Home' ? 0 : ev.key === 'End' ? buttons.length - 1 : at + (ev.key === 'ArrowDown' ? 1 : -1);
    buttons[Math.max(0, Math.min(buttons.length - 1, next))]?.focus();
    ev.preventDefault();
  }
}

function cell(stepId: string, view: DashboardCellView | undefined, current: boolean, serverNow: () => number): HTMLElement {
  const status = view?.status ?? 'not-started';
  const { icon, label } = CELL_TEXT[status];
  const meta: (Node | string)[] = [];
  if (view?.attempts) meta.push(plural(view.attempts, 'try', 'tries'));
  if (status === 'passed' && view?.startedAt !== undefined && view.firstPassedAt !== undefined) {
    meta.push(`in ${formatDuration(view.firstPassedAt - view.startedAt)}`);
  } else if (current && view?.startedAt !== undefined) {
    meta.push(el('span', { class: 'clock', 'data-since': String(view.startedAt) }, formatDuration(serverNow() - view.startedAt)));
  }
  const text = current && status !== 'passed' ? (status === 'not-started' ? 'Working on it' : `${label}, working on it`) : label;
  const td = el('td', { class: 'cell', 'data-step': stepId, 'data-status': status }, el('span', { class: 'cell-icon', 'aria-hidden': 'true' }, icon), el('span', { class: 'cell-label' }, text));
  if (current) td.dataset.current = 'true';
  if (meta.length) {
    const metaSpan = el('span', { class: 'cell-meta' });
    meta.forEach((m, i) => metaSpan.append(...(i ? [' · ', m] : [m])));
    td.append(metaSpan);
  }
  return td;
}

/** Advances every "time on step" clock under `root` to the server's now. */
export function tickClocks(root: HTMLElement, serverNow: number): void {
  for (const clock of root.querySelectorAll<HTMLElement>('.clock[data-since]')) {
    clock.textContent = formatDuration(serverNow - Number(clock.dataset.since));
  }
}

function sortStudents(students: DashboardStudentView[], lab: LabInfo | undefined, sort: GridSort): DashboardStudentView[] {
  const byName = (a: DashboardStudentView, b: DashboardStudentView) => a.displayName.localeCompare(b.displayName) || a.learnerId.localeCompare(b.learnerId);
  const passed = (s: DashboardStudentView) => {
    const p = lab ? s.labs[lab.id] : undefined;
    return p ? Object.values(p.steps).filter((c) => c.status === 'passed').length * 1e6 + p.score.earned : 0;
  };
  const sorted = [...students];
  if (sort === 'name') sorted.sort(byName);
  else if (sort === 'progress') sorted.sort((a, b) => passed(b) - passed(a) || byName(a, b));
  else sorted.sort((a, b) => Number(!!b.stuck) - Number(!!a.stuck) || byName(a, b));
  return sorted;
}
