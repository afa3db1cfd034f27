import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import { WebLinksAddon } from '@xterm/addon-web-links';
import { Unicode11Addon } from '@xterm/addon-unicode11';
import { WebglAddon } from '@xterm/addon-webgl';
import '@xterm/xterm/css/xterm.css';
import { FLOW, TERMINAL_WS_PATH, type TerminalClientMessage, type TerminalServerMessage } from '../../server/core/protocol.ts';

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'exited';

export interface TerminalViewOptions {
  learnerId: string;
  labId: string;
  onState?: (state: ConnectionState, detail?: string) => void;
  /** F6 (or Shift+F6) pressed in the terminal: Tab belongs to the shell, so this is the way out by keyboard. */
  onLeave?: (backwards: boolean) => void;
}

const MAX_INPUT_FRAME = 32 * 1024;
const encoder = new TextEncoder();

/**
 * The learner's shell in xterm.js, over the raw terminal WebSocket: binary both ways, acknowledgements from
 * xterm's write callback (so a flood pauses the shell instead of freezing the tab), automatic reconnect that
 * gets the screen back from the server, and fit-to-pane resizing.
 */
export class TerminalView {
  readonly term: Terminal;
  private readonly _fit = new FitAddon();
  private _ws: WebSocket | undefined;
  private _unackedParsed = 0;
  private _retryMs = 250;
  private _exited = false;
  private _closed = false;
  private _resizeObserver: ResizeObserver | undefined;

  constructor(
    private readonly _container: HTMLElement,
    private readonly _options: TerminalViewOptions,
  ) {
    this.term = new Terminal({
      cursorBlink: true,
      fontFamily: 'ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace',
      fontSize: 14,
      scrollback: 5000,
      allowProposedApi: true,
      screenReaderMode: localStorage.getItem('labrunner.screenReader') === '1',
      theme: { background: '#1e1e2e', foreground: '#e6e6e6' },
    });
    this.term.loadAddon(this._fit);
    this.term.loadAddon(new WebLinksAddon());
    this.term.loadAddon(new Unicode11Addon());
    this.term.unicode.activeVersion = '11';
    this.term.open(_container);
    this._loadWebgl();
    this.term.attachCustomKeyEventHandler((e) => this._onKey(e));
    this.term.onData((data) => this._input(data));
    this.term.onBinary((data) => this._sendBinary(Uint8Array.from(data, (c) => c.charCodeAt(0) & 0xff)));
    this.term.onResize(({ cols, rows }) => this._control({ type: 'resize', cols, rows }));
    this._resizeObserver = new ResizeObserver(() => this.fit());
    this._resizeObserver.observe(_container);
    this.fit();
    this._connect();
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

  /** The element that takes the terminal's keyboard input (xterm's hidden textarea). */
  get textarea(): HTMLTextAreaElement | undefined {
    return this.term.textarea;
  }

  /** xterm's screen-reader mode: the rows as a live DOM tree that assistive technology reads. Applies at once. */
  setScreenReaderMode(on: boolean): void {
    this.term.options.screenReaderMode = on;
  }

  dispose(): void {
    this._closed = true;
    this._resizeObserver?.disconnect();
    this._ws?.close();
    this.term.dispose();
  }

  private _loadWebgl(): void {
    try {
      const webgl = new WebglAddon();
      // Browsers cap WebGL contexts; when one is lost, fall back to the DOM renderer instead of going blank.
      webgl.onContextLoss(() => webgl.dispose());
      this.term.loadAddon(webgl);
    } catch {
      /* no WebGL here: xterm's DOM renderer is used */
    }
  }

  private _connect(): void {
    const { learnerId, labId } = this._options;
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const q = new URLSearchParams({ learner: learnerId, lab: labId, cols: String(this.term.cols), rows: String(this.term.rows) });
    const ws = new WebSocket(`${scheme}://${location.host}${TERMINAL_WS_PATH}?${q}`);
    ws.binaryType = 'arraybuffer';
    this._ws = ws;
    this._options.onState?.(this._retryMs > 250 ? 'reconnecting' : 'connecting');
    ws.onmessage = (ev) => {
      if (typeof ev.data === 'string') return this._onControl(JSON.parse(ev.data) as TerminalServerMessage);
      const bytes = new Uint8Array(ev.data as ArrayBuffer);
      this.term.write(bytes, () => this._parsed(bytes.length));
    };
    ws.onclose = () => {
      if (this._closed || ws !== this._ws) return;
      this._options.onState?.('reconnecting');
      setTimeout(() => this._connect(), this._retryMs);
      this._retryMs = Math.min(this._retryMs * 2, 5000);
    };
  }

  private _onControl(msg: TerminalServerMessage): void {
    switch (msg.type) {
      case 'attached':
        // The server replays the whole screen next; start from a clean terminal so nothing shows twice.
        this.term.reset();
        this._unackedParsed = 0;
        this._retryMs = 250;
        this._exited = false;
        this._options.onState?.('connected');
        this._control({ type: 'resize', cols: this.term.cols, rows: this.term.rows });
        break;
      case 'exit':
        this._exited = true;
        this.term.write(`\r\n\x1b[2m[shell exited (code ${msg.exitCode}) — press Enter to start a new one]\x1b[0m\r\n`);
        this._options.onState?.('exited', `exit code ${msg.exitCode}`);
        break;
      case 'error':
        this.term.write(`\r\n\x1b[31m${msg.message}\x1b[0m\r\n`);
        break;
    }
  }

  private _parsed(bytes: number): void {
    this._unackedParsed += bytes;
    if (this._unackedParsed >= FLOW.ACK_EVERY) {
      this._control({ type: 'ack', bytes: this._unackedParsed });
      this._unackedParsed = 0;
    }
  }

  private _input(data: string): void {
    if (this._exited) {
      if (data.includes('\r')) {
        this._exited = false;
        this._control({ type: 'restart' });
      }
      return;
    }
    const bytes = encoder.encode(data);
    // Large pastes go in frames the server accepts.
    for (let i = 0; i < bytes.length; i += MAX_INPUT_FRAME) this._sendBinary(bytes.subarray(i, i + MAX_INPUT_FRAME));
  }

  private _sendBinary(bytes: Uint8Array): void {
    if (this._ws?.readyState === WebSocket.OPEN) this._ws.send(bytes);
  }

  private _control(msg: TerminalClientMessage): void {
    if (this._ws?.readyState === WebSocket.OPEN) this._ws.send(JSON.stringify(msg));
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
