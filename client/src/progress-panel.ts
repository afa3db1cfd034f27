import type { Socket } from 'socket.io-client';
import type { Answer, ClientToServerEvents, LabProgressView, ServerToClientEvents, StepProgressView } from '../../server/core/protocol.ts';

type EventsSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const STATUS_TEXT: Record<StepProgressView['status'], string> = {
  'not-started': 'Not checked yet',
  failed: 'Not done yet',
  passed: 'Passed',
  broken: 'Was passing, now broken',
};

const RESULT_ICON = { pass: '✓', fail: '✗', error: '!' } as const;

/**
 * The grading side of the lab page: each step's Check button asks the server to run its checks, and every
 * progress update (from this tab, another tab, or background checks) redraws the steps and the score.
 * The browser only displays results; it cannot mark a step passed.
 */
export class ProgressPanel {
  private _latest: LabProgressView | undefined;
  private readonly _onProgress = (progress: LabProgressView) => {
    if (progress.labId === this._labId) this.render(progress);
  };
  // After a reconnect (server restart, network), fetch the current state again.
  private readonly _onConnect = () => this._open();

  constructor(
    private readonly _root: HTMLElement,
    private readonly _score: HTMLElement,
    private readonly _socket: EventsSocket,
    private readonly _labId: string,
  ) {
    _socket.on('lab:progress', this._onProgress);
    _socket.on('connect', this._onConnect);
    if (_socket.connected) this._open();
    const buttons = [..._root.querySelectorAll<HTMLButtonElement>('button.check-button')];
    for (const button of buttons) {
      button.disabled = false;
      button.addEventListener('click', () => this._check(button));
    }
    // For a learner who did the work in the terminal first, or comes back to a lab: where do I stand?
    if (buttons.length >= 2) this._addCheckAll(buttons[0]!.closest('section'));
  }

  private _addCheckAll(firstStep: Element | null): void {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'check-all-button';
    button.textContent = 'Check all steps';
    const note = document.createElement('span');
    note.className = 'check-all-result';
    note.setAttribute('role', 'status');
    const bar = document.createElement('div');
    bar.className = 'check-all';
    bar.append(button, note);
    if (firstStep) firstStep.before(bar);
    else this._root.prepend(bar);
    button.addEventListener('click', () => {
      if (button.getAttribute('aria-busy') === 'true') return;
      button.textContent = 'Checking all steps…';
      button.setAttribute('aria-busy', 'true');
      note.textContent = '';
      this._socket.timeout(120_000).emit('check:all', { labId: this._labId }, (err: Error | null, answer: Answer<LabProgressView>) => {
        button.textContent = 'Check all steps';
        button.removeAttribute('aria-busy');
        if (err) return void (note.textContent = 'The server did not answer. Check your connection and try again.');
        if (!answer.ok) return void (note.textContent = answer.error.message);
        this.render(answer.value);
        const checked = [...this._root.querySelectorAll<HTMLButtonElement>('button.check-button')].map((b) => b.dataset.step ?? '');
        const passed = checked.filter((id) => answer.value.steps[id]?.status === 'passed').length;
        note.textContent = `${passed} of ${checked.length} steps passed.`;
      });
    });
  }

  render(progress: LabProgressView): void {
    this._latest = progress;
    const { earned, total } = progress.score;
    this._score.textContent = `${earned} / ${total} points`;
    this._score.hidden = total === 0;
    for (const [stepId, step] of Object.entries(progress.steps)) {
      const section = this._root.querySelector<HTMLElement>(`section[data-step="${CSS.escape(stepId)}"]`);
      if (section) renderStep(section, step);
    }
  }

  private _open(): void {
    this._socket.emit('lab:open', { labId: this._labId }, (answer) => this._handle(answer));
  }

  private _check(button: HTMLButtonElement): void {
    const stepId = button.dataset.step;
    if (!stepId || button.getAttribute('aria-busy') === 'true') return;
    // Busy, not disabled: a disabled button would drop the keyboard focus of whoever pressed it.
    const label = button.getAttribute('aria-label');
    button.textContent = 'Checking…';
    button.setAttribute('aria-busy', 'true');
    button.setAttribute('aria-disabled', 'true');
    if (label) button.setAttribute('aria-label', label.replace(/^Check\b/, 'Checking…'));
    this._socket.timeout(60_000).emit('check:run', { labId: this._labId, stepId }, (err: Error | null, answer: Answer<LabProgressView>) => {
      button.textContent = 'Check';
      button.removeAttribute('aria-busy');
      button.removeAttribute('aria-disabled');
      if (label) button.setAttribute('aria-label', label);
      if (err) return this._stepMessage(stepId, 'The server did not answer. Check your connection and try again.');
      this._handle(answer, stepId);
    });
  }

  private _handle(answer: Answer<LabProgressView>, stepId?: string): void {
    if (answer.ok) this.render(answer.value);
    else if (stepId) this._stepMessage(stepId, answer.error.message);
  }

  private _stepMessage(stepId: string, message: string): void {
    const out = this._root.querySelector<HTMLElement>(`section[data-step="${CSS.escape(stepId)}"] .check-result`);
    if (out) out.textContent = message;
  }

  get latest(): LabProgressView | undefined {
    return this._latest;
  }

  /** Stops listening (the instructions were re-rendered with a new panel). */
  dispose(): void {
    this._socket.off('lab:progress', this._onProgress);
    this._socket.off('connect', this._onConnect);
  }
}

function renderStep(section: HTMLElement, step: StepProgressView): void {
  section.dataset.status = step.status;
  const result = section.querySelector<HTMLElement>('.check-result');
  if (result) {
    const points = step.points ? ` · ${step.pointsAwarded}/${step.points} points` : '';
    const attempts = step.attempts ? ` · ${step.attempts} ${step.attempts === 1 ? 'attempt' : 'attempts'}` : '';
    const timing = step.lastDurationMs !== undefined ? ` · checked in ${step.lastDurationMs} ms` : '';
    result.textContent = `${STATUS_TEXT[step.status]}${points}${attempts}${timing}`;
  }
  const list = section.querySelector<HTMLElement>('.check-list');
  if (list && step.results.length) {
    list.replaceChildren(
      ...step.results.map((r) => {
        const li = document.createElement('li');
        li.className = `check-${r.status}`;
        const head = document.createElement('span');
        head.className = 'check-head';
        head.textContent = `${RESULT_ICON[r.status]} ${r.title}: ${r.message}`;
        li.append(head);
        if (r.hint) {
          const hint = document.createElement('div');
          hint.className = 'check-hint';
          hint.textContent = r.hint;
          li.append(hint);
        }
        if (r.evidence !== undefined || r.checker !== undefined) {
          // Author mode: the raw result beside what the learner sees.
          const raw = document.createElement('details');
          raw.className = 'check-evidence';
          const summary = document.createElement('summary');
          summary.textContent = `${r.checker ?? 'check'} · evidence`;
          const pre = document.createElement('pre');
          pre.textContent = JSON.stringify(r.evidence ?? {}, null, 2);
          raw.append(summary, pre);
          li.append(raw);
        }
        if (r.status === 'error') {
          const note = document.createElement('div');
          note.className = 'check-hint';
          note.textContent = 'This is not your mistake: the check itself could not run. Try again in a moment.';
          li.append(note);
        }
        return li;
      }),
    );
  }
  let hints = section.querySelector<HTMLElement>('.step-hints');
  if (step.hintsHtml.length) {
    if (!hints) {
      hints = document.createElement('aside');
      hints.className = 'step-hints';
      hints.setAttribute('aria-label', 'Hints');
      section.querySelector('.step-checks')?.after(hints);
    }
    // Hint HTML is rendered by the server's markdown-it with raw HTML disabled.
    hints.innerHTML = step.hintsHtml.map((h) => `<div class="hint">${h}</div>`).join('');
  }
}
