import { io } from 'socket.io-client';
import type { LabSummary, LabView, ServerToClientEvents, ClientToServerEvents } from '../../server/core/protocol.ts';
import type { Socket } from 'socket.io-client';
import { currentLearnerId } from './learner.ts';
import { makeSplitPane } from './split-pane.ts';
import { TerminalView, type ConnectionState } from './terminal-view.ts';
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
  const lab = await getJson<LabView>(`/api/labs/${encodeURIComponent(labId)}`);
  document.title = `${lab.title} · labrunner`;
  const status = el('span', { class: 'status', role: 'status', 'aria-live': 'polite' }, 'connecting…');
  const instructions = el('article', { class: 'instructions', 'aria-label': 'Lab instructions', tabindex: '0' });
  instructions.innerHTML = lab.html; // rendered by markdown-it on the server with raw HTML disabled
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
  const layout = el('div', { class: 'lab-layout' }, instructions, divider, el('section', { class: 'terminal-pane', 'aria-label': 'Terminal' }, terminalHost));
  app.replaceChildren(
    el(
      'header',
      { class: 'topbar' },
      el('a', { href: withLearner('/'), class: 'brand' }, 'labrunner'),
      el('h1', { class: 'lab-title' }, lab.title),
      status,
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
  });
  makeSplitPane(layout, divider, () => terminal.fit());
  addCodeButtons(instructions, (text) => terminal.type(text));
  terminal.focus();
  (window as unknown as { labrunnerTerminal: TerminalView }).labrunnerTerminal = terminal;
}

/** Every code block gets "Copy" and, for shell commands, "Run in terminal". */
function addCodeButtons(root: HTMLElement, run: (text: string) => void): void {
  for (const pre of root.querySelectorAll('pre')) {
    const code = pre.textContent ?? '';
    const bar = el('div', { class: 'code-actions' });
    const copy = el('button', { type: 'button', 'aria-label': 'Copy code to clipboard' }, 'Copy');
    copy.addEventListener('click', () => void navigator.clipboard?.writeText(code.trimEnd()));
    bar.append(copy);
    const lang = pre.querySelector('code')?.className ?? '';
    if (/language-(bash|sh|shell|console)\b/.test(lang)) {
      const runBtn = el('button', { type: 'button', 'aria-label': 'Run this command in the terminal' }, 'Run in terminal');
      runBtn.addEventListener('click', () => run(code.trimEnd() + '\r'));
      bar.append(runBtn);
    }
    pre.before(bar);
  }
}

function connectEvents(): Socket<ServerToClientEvents, ClientToServerEvents> {
  return io({ auth: { learnerId }, transports: ['websocket'] });
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

connectEvents();
void route();
