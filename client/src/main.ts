import { io } from 'socket.io-client';
import type { LabStepView, LabSummary, LabView, ServerToClientEvents, ClientToServerEvents } from '../../server/core/protocol.ts';
import type { Socket } from 'socket.io-client';
import { currentLearnerId } from './learner.ts';
import { makeSplitPane } from './split-pane.ts';
import { TerminalView, type ConnectionState } from './terminal-view.ts';
import { ProgressPanel } from './progress-panel.ts';
import './style.css';

const app = document.getElementById('app')!;
const learnerId = currentLearnerId();

/** Keeps `?learner=` on in-app links so a tab stays the same learner. */
function withLearner(path: string): string {
  const learner = new URLSearchParams(location.search).get('learner');
  return learner ? `${path}?learner=${encodeURIComponent(learner)}` : path;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { credentials: 'same-origin' });
  if (!res.ok) {
    const body = (await res.json().catch(() => undefined)) as { error?: { message?: string } } | undefined;
    throw new Error(body?.error?.message ?? `${res.status} ${res.statusText}`);
  }
  return (await res.json()) as T;
}

function showError(message: string): void {
  app.replaceChildren(el('main', { class: 'catalog' }, el('p', { class: 'error', role: 'alert' }, message)));
}

async function showCatalog(): Promise<void> {
  document.title = 'Labs · labrunner';
  const labs = await getJson<LabSummary[]>('/api/labs');
  const list = el('ul', { class: 'lab-list' });
  for (const lab of labs) {
    if (!lab.available) {
      // A broken lab is listed, not hidden: its author should see that it needs fixing.
      const errors = lab.problems?.filter((p) => p.severity === 'error').length ?? 0;
      list.append(
        el(
          'li',
          {},
          el(
            'div',
            { class: 'lab-card unavailable', 'aria-disabled': 'true' },
            el('h2', {}, lab.title),
            el('p', {}, lab.summary),
            el('p', { class: 'error' }, `Unavailable: ${errors === 1 ? '1 error' : `${errors} errors`} in its files (labrunner lint ${lab.id}).`),
          ),
        ),
      );
      continue;
    }
    list.append(
      el('li', {}, el('a', { href: withLearner(`/lab/${encodeURIComponent(lab.id)}`), class: 'lab-card' }, el('h2', {}, lab.title), el('p', {}, lab.summary))),
    );
  }
  if (labs.length === 0) list.append(el('li', {}, 'No labs found in labs/.'));
  app.replaceChildren(
    el('header', { class: 'topbar' }, el('span', { class: 'brand' }, 'labrunner'), el('span', { class: 'who' }, `learner: ${learnerId}`)),
    el('main', { class: 'catalog' }, el('h1', {}, 'Labs'), list),
  );
}

async function showLab(labId: string): Promise<void> {
  const lab = await getJson<LabView>(`/api/labs/${encodeURIComponent(labId)}?learner=${encodeURIComponent(learnerId)}`);
  document.title = `${lab.title} · labrunner`;
  const status = el('span', { class: 'status', role: 'status', 'aria-live': 'polite' }, 'connecting…');
  const score = el('span', { class: 'score', 'aria-label': 'Your score' });
  score.hidden = true;
  const instructions = el('article', { class: 'instructions', 'aria-label': 'Lab instructions', tabindex: '0' });
  renderInstructions(instructions, lab);
  const terminalHost = el('div', { class: 'terminal-host' });
  const divider = el('div', {
    class: 'divider',
    role: 'separator',
    tabindex: '0',
    'aria-orientation': 'vertical',
    'aria-label': 'Resize instructions and terminal',
    'aria-valuemin': '20',
    'aria-valuemax': '80',
  });
  const terminalHelp = el('p', { id: 'terminal-help', class: 'terminal-help' }, 'Tab completes in the shell. Press F6 to leave the terminal.');
  const terminalPane = el('section', { id: 'terminal', class: 'terminal-pane', 'aria-label': 'Terminal' }, terminalHelp, terminalHost);
  const layout = el('main', { class: 'lab-layout' }, instructions, divider, terminalPane);
  const skipLink = el('a', { href: '#terminal', class: 'skip-link' }, 'Skip to terminal');
  const screenReader = screenReaderToggle();
  app.replaceChildren(
    skipLink,
    el(
      'header',
      { class: 'topbar' },
      el('a', { href: withLearner('/'), class: 'brand' }, 'labrunner'),
      el('h1', { class: 'lab-title' }, lab.title),
      score,
      status,
      screenReader.label,
      el('span', { class: 'who' }, `learner: ${learnerId}`),
    ),
    layout,
  );

  const labels: Record<ConnectionState, string> = {
    connecting: 'connecting…',
    connected: 'connected',
    reconnecting: 'reconnecting…',
    exited: 'shell exited',
  };
  const terminal = new TerminalView(terminalHost, {
    learnerId,
    labId,
    onState: (state) => {
      status.textContent = labels[state];
      status.dataset.state = state;
    },
    // F6 leaves the terminal (Tab belongs to the shell): forwards to the instructions, Shift+F6 back to the top.
    onLeave: (backwards) => (backwards ? screenReader.input : instructions).focus(),
  });
  terminal.textarea?.setAttribute('aria-describedby', terminalHelp.id);
  screenReader.input.addEventListener('change', () => {
    localStorage.setItem(SCREEN_READER_KEY, screenReader.input.checked ? '1' : '0');
    terminal.setScreenReaderMode(screenReader.input.checked);
  });
  skipLink.addEventListener('click', (ev) => {
    ev.preventDefault();
    terminal.focus();
  });
  makeSplitPane(layout, divider, () => terminal.fit());
  let panel: ProgressPanel | undefined;
  const showInstructions = (view: LabView) => {
    panel?.dispose();
    renderInstructions(instructions, view);
    if (authorMode) showProblems(instructions, view);
    addCodeButtons(instructions, (text) => terminal.type(text));
    panel = view.available ? new ProgressPanel(instructions, score, events, labId) : undefined;
  };
  showInstructions(lab);
  // Author mode (`labrunner dev`): a saved lab.md re-renders the instructions; the terminal stays as it is.
  events.on('lab:changed', (change) => {
    if (change.labId !== labId) return;
    void getJson<LabView>(`/api/labs/${encodeURIComponent(labId)}?learner=${encodeURIComponent(learnerId)}`).then((view) => {
      const scroll = instructions.scrollTop;
      showInstructions(view);
      instructions.scrollTop = scroll;
    }, () => undefined);
  });
  terminal.focus();
  (window as unknown as { labrunnerTerminal: TerminalView }).labrunnerTerminal = terminal;
}

const SCREEN_READER_KEY = 'labrunner.screenReader';

/** A labelled checkbox for xterm's screen-reader mode (the terminal's text as a live, readable DOM tree). */
function screenReaderToggle(): { label: HTMLLabelElement; input: HTMLInputElement } {
  const input = el('input', { type: 'checkbox', id: 'screen-reader-mode' });
  input.checked = localStorage.getItem(SCREEN_READER_KEY) === '1';
  const label = el('label', { class: 'toggle', for: input.id }, input, 'Screen reader mode');
  return { label, input };
}

/**
 * The introduction, then one section per step: its text, its points and the checks it has, with a Check
 * button per step (wired by the grading client; disabled until then). HTML comes from the server, rendered
 * by markdown-it with raw HTML disabled.
 */
function renderInstructions(root: HTMLElement, lab: LabView): void {
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
function addCodeButtons(root: HTMLElement, run: (text: string) => void): void {
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

const flashes = new WeakMap<HTMLButtonElement, { text: string; label: string; timer: ReturnType<typeof setTimeout> }>();

/** Briefly shows what a button did, in its text and (for screen readers) its name. */
function flash(button: HTMLButtonElement, text: string): void {
  const previous = flashes.get(button);
  if (previous) clearTimeout(previous.timer);
  const original = previous ?? { text: button.textContent ?? '', label: button.getAttribute('aria-label') ?? '' };
  button.textContent = text;
  button.setAttribute('aria-label', text);
  const timer = setTimeout(() => {
    flashes.delete(button);
    button.textContent = original.text;
    button.setAttribute('aria-label', original.label);
  }, 1500);
  flashes.set(button, { ...original, timer });
}

/** Set by the server's `session` event: `labrunner dev` shows authors evidence and lint problems. */
let authorMode = false;

function connectEvents(): Socket<ServerToClientEvents, ClientToServerEvents> {
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io({ auth: { learnerId }, transports: ['websocket'] });
  socket.on('session', (info) => {
    authorMode = info.authorMode;
    document.body.classList.toggle('author-mode', authorMode);
  });
  return socket;
}

/** The page waits (briefly) for the server's `session` event, so an author's page is drawn as one from the start. */
function sessionKnown(socket: Socket<ServerToClientEvents, ClientToServerEvents>): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 1500);
    socket.once('session', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Author mode: what `labrunner lint` says about this lab, above its instructions. */
function showProblems(root: HTMLElement, lab: LabView): void {
  if (!lab.problems?.length) return;
  const list = el('ul', {}, ...lab.problems.map((p) => el('li', {}, `${p.file}:${p.line}:${p.column} ${p.severity} ${p.message}`)));
  root.prepend(el('aside', { class: 'lab-problems', 'aria-label': 'Problems in this lab' }, el('strong', {}, 'labrunner lint:'), list));
}

async function route(): Promise<void> {
  const match = /^\/lab\/([a-z0-9-]+)\/?$/.exec(location.pathname);
  try {
    if (match) await showLab(match[1]!);
    else await showCatalog();
  } catch (err) {
    showError(err instanceof Error ? err.message : String(err));
  }
}

const events = connectEvents();
void sessionKnown(events).then(route);
