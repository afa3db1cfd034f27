import type { Terminal } from '@xterm/xterm';
import type { FitAddon } from '@xterm/addon-fit';
import { createXterm } from './xterm-setup.ts';
import { TerminalStream, type ConnectionState } from './terminal-stream.ts';

export interface TerminalViewOptions {
  learnerId: string;
  labId: string;
  onState?: (state: ConnectionState, detail?: string) => void;
  /** F6 (or Shift+F6) pressed in the terminal: Tab belongs to the shell, so this is the way out by keyboard. */
  onLeave?: (backwards: boolean) => void;
}

/**
 * The learner's own shell: their keyboard goes to it, its size follows the pane (the shell is resized to
 * match), and after the shell exits Enter starts a new one.
 */
export class TerminalView {
  readonly term: Terminal;
  private readonly _fit: FitAddon;
  private readonly _stream: TerminalStream;
  private _exited = false;
  private _lastError: string | undefined;
  private readonly _resizeObserver: ResizeObserver;

  constructor(
    private readonly _container: HTMLElement,
    private readonly _options: TerminalViewOptions,
  ) {
    ({ term: this.term, fit: this._fit } = createXterm(_container));
    this.term.attachCustomKeyEventHandler((e) => this._onKey(e));
    this.term.onData((data) => this._input(data));
    this.term.onBinary((data) => this._stream.sendBinary(Uint8Array.from(data, (c) => c.charCodeAt(0) & 0xff)));
    // `?.`: the first fit below resizes before the stream exists; the stream sends the size once attached.
    this.term.onResize(({ cols, rows }) => this._stream?.control({ type: 'resize', cols, rows }));
    this._resizeObserver = new ResizeObserver(() => this.fit());
    this._resizeObserver.observe(_container);
    this.fit();
    this._stream = new TerminalStream(this.term, {
      query: { learner: _options.learnerId, lab: _options.labId },
      onState: _options.onState,
      onControl: (msg) => {
        switch (msg.type) {
          case 'attached':
            this._exited = false;
            this._lastError = undefined;
            this._stream.control({ type: 'resize', cols: this.term.cols, rows: this.term.rows });
            break;
          case 'exit':
            this._exited = true;
            this.term.write(`\r\n\x1b[2m[shell exited (code ${msg.exitCode}) — press Enter to start a new one]\x1b[0m\r\n`);
            this._options.onState?.('exited', `exit code ${msg.exitCode}`);
            break;
          case 'error':
            // A refusal repeats on every reconnect (e.g. a lab waiting for the student's AWS keys): say it once.
            if (msg.message !== this._lastError) this.term.write(`\r\n\x1b[31m${msg.message}\x1b[0m\r\n`);
            this._lastError = msg.message;
            break;
        }
      },
    });
  }

  /** Types text into the shell as if the learner had typed it. */
  type(text: string): void {
    this._input(text);
    this.term.focus();
  }

  fit(): void {
    if (this._container.clientWidth > 0 && this._container.clientHeight > 0) this._fit.fit();
  }

  focus(): void {
    this.term.focus();
  }

  /** Connects again now (the server may accept what it refused a moment ago). */
  reconnect(): void {
    this._stream.reconnect();
  }

  /** The element that takes the terminal's keyboard input (xterm's hidden textarea). */
  get textarea(): HTMLTextAreaElement | undefined {
    return this.term.textarea;
  }

  /** xterm's screen-reader mode: the rows as a live DOM tree that assistive technology reads. Applies at once. */
  setScreenReaderMode(on: boolean): void {
    this.term.options.screenReaderMode = on;
  }

  dispose(): void {
    this._resizeObserver.disconnect();
    this._stream.dispose();
    this.term.dispose();
  }

  private _input(data: string): void {
    if (this._exited) {
      if (data.includes('\r')) {
        this._exited = false;
        this._stream.control({ type: 'restart' });
      }
      return;
    }
    this._stream.input(data);
  }

  /** Ctrl+Shift+C copies the selection; Ctrl+Shift+V is left to the browser, which pastes; F6 leaves the terminal. */
  private _onKey(e: KeyboardEvent): boolean {
    if (e.key === 'F6' && !e.ctrlKey && !e.altKey && !e.metaKey && this._options.onLeave) {
      e.preventDefault();
      if (e.type === 'keydown') this._options.onLeave(e.shiftKey);
      return false;
    }
    if (e.type !== 'keydown' || !e.ctrlKey || !e.shiftKey) return true;
    if (e.code === 'KeyC') {
      const selection = this.term.getSelection();
      if (selection) void navigator.clipboard?.writeText(selection);
      return false;
    }
    if (e.code === 'KeyV') return false;
    return true;
  }
}
