import type { DashboardStudentView, DashboardView, StudentDetailView, TimelineEntryView } from '../../../server/core/protocol.ts';
import { el } from '../dom.ts';
import type { EventsSocket } from '../session.ts';
import { formatClock } from './format.ts';
import { ShadowTerminal } from './shadow-terminal.ts';

type LabInfo = DashboardView['labs'][number];

const RESULT_ICON = { pass: '✓', fail: '✗', error: '!' } as const;
const MAX_TIMELINE = 300;

/**
 * One student, opened from the grid: where they are, what they ran and what the checks told them (newest
 * first, live), and their terminal, live and read-only, with a request to type that the student must accept.
 */
export class StudentDetail {
  readonly element = el('section', { class: 'student-detail panel', 'aria-labelledby': 'detail-title' });
  private _learnerId: string | undefined;
  private _lab: LabInfo | undefined;
  private _shadow: ShadowTerminal | undefined;
  private readonly _title = el('h2', { id: 'detail-title', tabindex: '-1' });
  private readonly _facts = el('dl', { class: 'facts' });
  private readonly _timeline = el('ol', { class: 'timeline', 'aria-label': 'Timeline, newest first' });
  private readonly _shadowHost = el('div', { class: 'shadow-host' });
  private readonly _shadowStatus = el('span', { class: 'status', role: 'status' });
  private readonly _writeState = el('p', { class: 'write-state', role: 'status', 'aria-live': 'polite' });
  private readonly _requestButton = el('button', { type: 'button' }, 'Request to type');
  private readonly _revokeButton = el('button', { type: 'button', class: 'danger' }, 'Revoke session');
  private readonly _message = el('p', { class: 'form-status', role: 'alert' });

  private readonly _onTimeline = (u: { classroomId: string; learnerId: string; entry: TimelineEntryView }) => {
    if (u.classroomId === this._classroomId && u.learnerId === this._learnerId) this._prepend(u.entry);
  };
  private readonly _onShadowState = (s: { learnerId: string; labId: string; write: boolean }) => {
    if (s.learnerId === this._learnerId && s.labId === this._lab?.id) this._setWrite(s.write);
  };

  constructor(
    private readonly _socket: EventsSocket,
    private readonly _classroomId: string,
    private readonly _onClose: (learnerId: string) => void,
  ) {
    const close = el('button', { type: 'button', class: 'close-button', 'aria-label': 'Close the student’s details' }, 'Close');
    close.addEventListener('click', () => this.close());
    this._requestButton.addEventListener('click', () => this._requestWrite());
    this._revokeButton.addEventListener('click', () => this._revoke());
    this.element.append(
      el('div', { class: 'detail-head' }, this._title, close),
      this._facts,
      this._message,
      el(
        'div',
        { class: 'detail-body' },
        el(
          'section',
          { class: 'shadow', 'aria-labelledby': 'shadow-title' },
          el('h3', { id: 'shadow-title' }, 'Terminal (live) ', this._shadowStatus),
          this._shadowHost,
          this._writeState,
          el('div', { class: 'actions' }, this._requestButton, this._revokeButton),
        ),
        el('section', { class: 'history', 'aria-labelledby': 'timeline-title' }, el('h3', { id: 'timeline-title' }, 'Commands and checks'), this._timeline),
      ),
    );
    this.element.hidden = true;
    this.element.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape' && !(ev.target as HTMLElement).closest('.xterm')) this.close();
    });
    _socket.on('dashboard:timeline', this._onTimeline);
    _socket.on('shadow:state', this._onShadowState);
  }

  get learnerId(): string | undefined {
    return this._learnerId;
  }

  /** Opens a student's details for a lab; the focus moves to their name. */
  open(student: DashboardStudentView, lab: LabInfo | undefined): void {
    this._closeShadow();
    this._learnerId = student.learnerId;
    this._lab = lab;
    this._timeline.replaceChildren(el('li', { class: 'muted' }, 'Loading…'));
    this._message.textContent = '';
    this.update(student);
    this.element.hidden = false;
    this._title.focus();
    this._socket.timeout(10_000).emit('dashboard:student', { classroomId: this._classroomId, learnerId: student.learnerId }, (err, answer) => {
      if (student.learnerId !== this._learnerId) return;
      if (err) return void this._timeline.replaceChildren(el('li', { class: 'error' }, 'The server did not answer.'));
      if (!answer.ok) return void this._timeline.replaceChildren(el('li', { class: 'error' }, answer.error.message));
      this._showDetail(answer.value);
    });
    if (lab) {
      this._shadow = new ShadowTerminal(this._shadowHost, {
        learnerId: student.learnerId,
        labId: lab.id,
        onState: (state) => {
          this._shadowStatus.textContent = state === 'connected' ? 'watching' : state;
          this._shadowStatus.dataset.state = state;
        },
      });
      (window as unknown as { labrunnerShadowTerminal?: ShadowTerminal }).labrunnerShadowTerminal = this._shadow;
    }
    this._setWrite(false);
  }

  /** The student's row changed (dashboard update): their facts follow. */
  update(student: DashboardStudentView): void {
    if (student.learnerId !== this._learnerId) return;
    const lab = this._lab;
    const progress = lab ? student.labs[lab.id] : undefined;
    const current = lab?.steps.find((s) => s.id === progress?.currentStepId);
    const cell = current ? progress?.steps[current.id] : undefined;
    this._title.textContent = student.displayName;
    const facts: [string, string][] = [
      ['Status', student.revoked ? 'Session revoked' : student.online ? 'Online' : 'Offline'],
      ['Current step', current ? `${current.title}${cell?.startedAt !== undefined ? ` (since ${formatClock(cell.startedAt)})` : ''}` : progress ? 'All steps passed' : 'Not started'],
      ['Score', progress ? `${progress.score.earned} / ${progress.score.total} points` : '–'],
    ];
    if (student.rosterId) facts.push(['Student ID', student.rosterId]);
    if (student.stuck) facts.push(['Stuck', student.stuck.message]);
    if (student.stuck?.lastHint) facts.push(['Last hint they saw', student.stuck.lastHint]);
    this._facts.replaceChildren(...facts.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
    this._revokeButton.disabled = student.revoked;
    this._requestButton.disabled = student.revoked;
  }

  close(): void {
    const learnerId = this._learnerId;
    this._closeShadow();
    this._learnerId = undefined;
    this.element.hidden = true;
    if (learnerId) this._onClose(learnerId);
  }

  dispose(): void {
    this._closeShadow();
    this._socket.off('dashboard:timeline', this._onTimeline);
    this._socket.off('shadow:state', this._onShadowState);
  }

  private _closeShadow(): void {
    this._shadow?.dispose();
    this._shadow = undefined;
    this._shadowHost.replaceChildren();
  }

  private _showDetail(detail: StudentDetailView): void {
    this.update(detail.student);
    const entries = [...detail.timeline].sort((a, b) => b.at - a.at).slice(0, MAX_TIMELINE);
    this._timeline.replaceChildren(...entries.map((e) => this._entry(e)));
    if (!entries.length) this._timeline.append(el('li', { class: 'muted empty' }, 'Nothing yet.'));
  }

  private _prepend(entry: TimelineEntryView): void {
    this._timeline.querySelector('.empty')?.remove();
    this._timeline.prepend(this._entry(entry));
    while (this._timeline.children.length > MAX_TIMELINE) this._timeline.lastElementChild?.remove();
  }

  private _entry(entry: TimelineEntryView): HTMLElement {
    const time = el('time', { datetime: new Date(entry.at).toISOString() }, formatClock(entry.at));
    if (entry.kind === 'command') {
      const ok = entry.exitCode === 0;
      return el(
        'li',
        { class: `entry command ${ok ? 'ok' : 'failed'}` },
        time,
        el('code', {}, `$ ${entry.command}`),
        el('span', { class: 'exit' }, ok ? '✓ exit 0' : `✗ exit ${entry.exitCode}`),
      );
    }
    const step = this._lab?.id === entry.labId ? this._lab.steps.find((s) => s.id === entry.stepId)?.title : undefined;
    const passed = entry.results.length > 0 && entry.results.every((r) => r.status === 'pass');
    const results = el(
      'ul',
      { class: 'results' },
      ...entry.results.map((r) => {
        const li = el('li', { class: `check-${r.status}` }, `${RESULT_ICON[r.status]} ${r.title}: ${r.message}`);
        if (r.hint) li.append(el('div', { class: 'check-hint' }, `Hint shown: ${r.hint}`));
        return li;
      }),
    );
    return el(
      'li',
      { class: `entry check ${passed ? 'ok' : 'failed'}` },
      time,
      el('strong', {}, `${passed ? '✓ Passed' : '✗ Not passed'}: ${step ?? entry.stepId}`),
      el('span', { class: 'muted' }, entry.trigger === 'auto' ? ' (background check)' : ' (Check pressed)'),
      results,
    );
  }

  private _setWrite(write: boolean): void {
    this._shadow?.setWritable(write);
    this._writeState.textContent = write ? '✎ The student lets you type in this terminal.' : 'Read-only: you see what the student sees.';
    this._writeState.dataset.write = String(write);
    this._requestButton.textContent = 'Request to type';
    this._requestButton.hidden = write;
    if (write) this._shadow?.focus();
  }

  private _requestWrite(): void {
    const learnerId = this._learnerId;
    const labId = this._lab?.id;
    if (!learnerId || !labId) return;
    this._requestButton.disabled = true;
    this._writeState.textContent = 'Asking the student…';
    this._socket.timeout(10_000).emit('shadow:request-write', { classroomId: this._classroomId, learnerId, labId }, (err, answer) => {
      this._requestButton.disabled = false;
      if (learnerId !== this._learnerId) return;
      if (err) return void (this._writeState.textContent = 'The server did not answer. Try again.');
      if (!answer.ok) return void (this._writeState.textContent = answer.error.message);
      this._writeState.textContent = 'Waiting for the student to allow it…';
    });
  }

  private _revoke(): void {
    const learnerId = this._learnerId;
    if (!learnerId) return;
    const name = this._title.textContent ?? learnerId;
    if (!confirm(`Revoke ${name}’s session? They are signed out at once (their work stays) and must join again.`)) return;
    this._revokeButton.disabled = true;
    this._socket.timeout(10_000).emit('classroom:revoke', { classroomId: this._classroomId, learnerId }, (err, answer) => {
      if (err || !answer.ok) {
        this._revokeButton.disabled = false;
        this._message.textContent = err ? 'The server did not answer. Try again.' : !answer.ok ? answer.error.message : '';
        return;
      }
      this._message.textContent = `${name}’s session was revoked.`;
    });
  }
}
