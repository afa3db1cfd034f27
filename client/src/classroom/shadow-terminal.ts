import type { Terminal } from '@xterm/xterm';
import { SHADOW_QUERY_PARAM } from '../../../server/core/protocol.ts';
import { createXterm, TerminalStream, type ConnectionState, type ServerMessage } from '../terminal/index.ts';

export interface ShadowTerminalOptions {
  learnerId: string;
  labId: string;
  onState?: (state: ConnectionState) => void;
}

/**
 * An instructor's live view of a student's terminal. It is read-only until the student allows typing (the
 * server enforces that; this view also drops the keys). It never resizes the student's shell: it takes the
 * student's size from the server instead (`attached` and `size` messages), and scrolls if that is wider
 * than the pane.
 */
export class ShadowTerminal {
  readonly term: Terminal;
  private readonly _stream: TerminalStream;
  private _writable = false;

  constructor(container: HTMLElement, options: ShadowTerminalOptions) {
    ({ term: this.term } = createXterm(container, { disableStdin: true, cursorBlink: false }));
    this.term.onData((data) => {
      if (this._writable) this._stream.input(data);
    });
    this._stream = new TerminalStream(this.term, {
      query: { learner: options.learnerId, lab: options.labId, [SHADOW_QUERY_PARAM]: '1' },
      onState: options.onState,
      onControl: (msg) => this._onControl(msg),
    });
  }

  /** Whether the student currently lets the instructor type (from `shadow:state`). */
  setWritable(writable: boolean): void {
    this._writable = writable;
    this.term.options.disableStdin = !writable;
    this.term.options.cursorBlink = writable;
  }

  get writable(): boolean {
    return this._writable;
  }

  focus(): void {
    this.term.focus();
  }

  dispose(): void {
    this._stream.dispose();
    this.term.dispose();
  }

  private _onControl(msg: ServerMessage): void {
    switch (msg.type) {
      case 'attached':
      case 'size': {
        // The student's size, when the server says it (older servers do not: then the default size stays).
        const { cols, rows } = msg as { cols?: unknown; rows?: unknown };
        if (isSize(cols) && isSize(rows) && (cols !== this.term.cols || rows !== this.term.rows)) this.term.resize(cols, rows);
        break;
      }
      case 'exit':
        this.term.write(`\r\n\x1b[2m[the student's shell exited (code ${msg.exitCode})]\x1b[0m\r\n`);
        break;
      case 'error':
        this.term.write(`\r\n\x1b[31m${msg.message}\x1b[0m\r\n`);
        break;
    }
  }
}

function isSize(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n > 0 && n <= 1000;
}
