import { el } from '../dom.ts';
import type { EventsSocket } from '../session.ts';

type ShadowRequest = { requestId: string; instructor: string; labId: string };

/**
 * The student's side of shadowing: an instructor can always watch (the page says commands are recorded), but
 * can type only after the student allows it here; while they can, a visible control takes it back.
 * The prompt does not take the focus: a student typing in the terminal must not answer it by accident.
 */
export class WriteAccessPrompt {
  readonly element = el('div', { class: 'write-access', role: 'alert' });
  private readonly _onRequest = (request: ShadowRequest) => {
    if (request.labId === this._labId) this._ask(request);
  };

  constructor(
    private readonly _socket: EventsSocket,
    private readonly _labId: string,
  ) {
    this.element.hidden = true;
    _socket.on('shadow:request', this._onRequest);
  }

  private _ask(request: ShadowRequest): void {
    const allow = el('button', { type: 'button', class: 'primary' }, 'Allow');
    const deny = el('button', { type: 'button' }, 'Deny');
    const message = el('p', {}, `${request.instructor} asks to type in your terminal.`);
    allow.addEventListener('click', () => this._respond(request, true));
    deny.addEventListener('click', () => this._respond(request, false));
    this.element.replaceChildren(message, el('div', { class: 'actions' }, allow, deny));
    this.element.dataset.state = 'asking';
    this.element.hidden = false;
  }

  private _respond(request: ShadowRequest, accept: boolean): void {
    this._socket.timeout(10_000).emit('shadow:respond', { requestId: request.requestId, accept }, (err, answer) => {
      if (err) return this._say('The server did not answer. Try again.', request);
      if (!answer.ok) return this._say(answer.error.message);
      if (answer.value.write) this._granted(request);
      else this._say(accept ? 'The request is no longer valid.' : 'Your instructor cannot type in your terminal.');
    });
  }

  private _granted(request: ShadowRequest): void {
    const stop = el('button', { type: 'button', class: 'danger' }, 'Stop');
    stop.setAttribute('aria-label', 'Stop: take back typing access from your instructor');
    stop.addEventListener('click', () => this._respond(request, false));
    this.element.replaceChildren(el('p', {}, el('strong', {}, `${request.instructor} can type in your terminal.`)), el('div', { class: 'actions' }, stop));
    this.element.dataset.state = 'granted';
    this.element.hidden = false;
  }

  private _say(text: string, retry?: ShadowRequest): void {
    const close = el('button', { type: 'button' }, 'OK');
    close.addEventListener('click', () => {
      this.element.hidden = true;
    });
    const actions = el('div', { class: 'actions' }, close);
    if (retry) {
      const again = el('button', { type: 'button' }, 'Try again');
      again.addEventListener('click', () => this._ask(retry));
      actions.prepend(again);
    }
    this.element.replaceChildren(el('p', {}, text), actions);
    this.element.dataset.state = 'info';
    this.element.hidden = false;
  }

  dispose(): void {
    this._socket.off('shadow:request', this._onRequest);
  }
}
