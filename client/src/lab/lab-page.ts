import type { LabView } from '../../../server/core/protocol.ts';
import { el, getJson, topbar } from '../dom.ts';
import type { AppContext, PageHandle } from '../page.ts';
import { ProgressPanel } from '../progress-panel.ts';
import { withLearner } from '../session.ts';
import { makeSplitPane } from '../split-pane.ts';
import { SCREEN_READER_KEY, TerminalView, type ConnectionState } from '../terminal/index.ts';
import { AnnouncementBanner } from './announcement-banner.ts';
import { awsCredentialsForm } from './aws-credentials-form.ts';
import { addCodeButtons, renderInstructions, showProblems } from './instructions.ts';
import { WriteAccessPrompt } from './write-access-prompt.ts';

const STATE_LABELS: Record<ConnectionState, string> = {
  connecting: 'connecting…',
  connected: 'connected',
  reconnecting: 'reconnecting…',
  exited: 'shell exited',
};

/**
 * A lab: instructions on the left, the learner's shell on the right. Classroom students also get what their
 * instructor sends (announcements, a request to type in their terminal), the notice that their commands are
 * recorded, and for real-AWS labs a form for their own credentials.
 */
export async function showLab(ctx: AppContext, labId: string): Promise<PageHandle> {
  const { app, session, events } = ctx;
  const learnerId = session.learnerId ?? '';
  const isStudent = session.role === 'student';
  const labUrl = `/api/labs/${encodeURIComponent(labId)}?learner=${encodeURIComponent(learnerId)}`;
  const lab = await getJson<LabView>(labUrl);
  document.title = `${lab.title} · labrunner`;
  const status = el('span', { class: 'status', role: 'status', 'aria-live': 'polite' }, 'connecting…');
  const score = el('span', { class: 'score', 'aria-label': 'Your score' });
  score.hidden = true;
  const instructions = el('article', { class: 'instructions', 'aria-label': 'Lab instructions', tabindex: '0' });
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
  if (isStudent && session.recordingCommands) {
    terminalPane.insertBefore(el('p', { class: 'recording-notice' }, '● Your commands in this terminal are recorded for your instructor.'), terminalHelp);
  }
  const layout = el('main', { class: 'lab-layout' }, instructions, divider, terminalPane);
  const skipLink = el('a', { href: '#terminal', class: 'skip-link' }, 'Skip to terminal');
  const screenReader = screenReaderToggle();
  const who = isStudent ? `${session.displayName ?? learnerId} · ${session.classroom?.name ?? ''}` : `learner: ${learnerId}`;
  const header = topbar(el('h1', { class: 'lab-title' }, lab.title), score, status, screenReader.label, el('span', { class: 'who' }, who));
  (header.querySelector('.brand') as HTMLAnchorElement).href = withLearner(session, '/');
  app.replaceChildren(skipLink, header);

  const disposables: { dispose(): void }[] = [];
  let awsForm: HTMLFormElement | undefined;
  if (isStudent) {
    const banner = new AnnouncementBanner(events, session.announcement);
    const prompt = new WriteAccessPrompt(events, labId);
    disposables.push(banner, prompt);
    app.append(el('div', { class: 'classroom-notices' }, banner.element, prompt.element));
    if (lab.environment === 'aws') awsForm = awsCredentialsForm(events, labId, () => terminal.reconnect());
  }
  app.append(layout);

  const terminal = new TerminalView(terminalHost, {
    learnerId,
    labId,
    onState: (state) => {
      status.textContent = STATE_LABELS[state];
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
    if (ctx.session.authorMode) showProblems(instructions, view);
    if (awsForm) instructions.prepend(awsForm);
    addCodeButtons(instructions, (text) => terminal.type(text));
    panel = view.available ? new ProgressPanel(instructions, score, events, labId) : undefined;
  };
  showInstructions(lab);
  // Author mode (`labrunner dev`): a saved lab.md re-renders the instructions; the terminal stays as it is.
  const onLabChanged = (change: { labId: string }) => {
    if (change.labId !== labId) return;
    void getJson<LabView>(labUrl).then((view) => {
      const scroll = instructions.scrollTop;
      showInstructions(view);
      instructions.scrollTop = scroll;
    }, () => undefined);
  };
  events.on('lab:changed', onLabChanged);
  terminal.focus();
  (window as unknown as { labrunnerTerminal: TerminalView }).labrunnerTerminal = terminal;
  return {
    dispose() {
      events.off('lab:changed', onLabChanged);
      panel?.dispose();
      for (const d of disposables) d.dispose();
      terminal.dispose();
    },
  };
}

/** A labelled checkbox for xterm's screen-reader mode (the terminal's text as a live, readable DOM tree). */
function screenReaderToggle(): { label: HTMLLabelElement; input: HTMLInputElement } {
  const input = el('input', { type: 'checkbox', id: 'screen-reader-mode' });
  input.checked = localStorage.getItem(SCREEN_READER_KEY) === '1';
  const label = el('label', { class: 'toggle', for: input.id }, input, 'Screen reader mode');
  return { label, input };
}
