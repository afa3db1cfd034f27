import type { Terminal } from '@xterm/xterm';
import { FLOW, TERMINAL_WS_PATH, type TerminalClientMessage, type TerminalServerMessage } from '../../../server/core/protocol.ts';

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'exited';

/**
 * What the server may send on the channel. Observers' size messages are declared here too so this client
 * also reads them from a server whose protocol.ts declares them already (then the types simply overlap).
 */
export type ServerMessage = TerminalServerMessage | { type: 'size'; cols: number; rows: number };

export interface TerminalStreamOptions {
  /** Query of the channel besides cols/rows: `learner`, `lab`, and `shadow=1` for an observer. */
  query: Record<string, string>;
  onState?: (state: ConnectionState, detail?: string) => void;
  /** Every text frame, after the stream has handled its own part (resetting the screen on `attached`). */
  onControl?: (msg: ServerMessage) => void;
}

const MAX_INPUT_FRAME = 32 * 1024;
const encoder = new TextEncoder();

/**
 * One xterm.js terminal on the raw terminal WebSocket: binary frames both ways, acknowledgements from xterm's
 * write callback (so a flood pauses the shell instead of freezing the tab — observers acknowledge too, or they
 * would hold the student's shell), and automatic reconnect that gets the screen back from the server.
 */
export class TerminalStream {
  private _ws: WebSocket | undefined;
  private _unackedParsed = 0;
  private _retryMs = 250;
  private _retryTimer: ReturnType<typeof setTimeout> | undefined;
  private _closed = false;

  constructor(
    private readonly _term: Terminal,
    private readonly _options: TerminalStreamOptions,
  ) {
    this._connect();
  }

  /** Sends text as the keyboard would (UTF-8, in frames the server accepts). */
  input(data: string): void {
    const bytes = encoder.encode(data);
    for (let i = 0; i < bytes.length; i += MAX_INPUT_FRAME) this.sendBinary(bytes.subarray(i, i + MAX_INPUT_FRAME));
  }

  sendBinary(bytes: Uint8Array): void {
    if (this._ws?.readyState === WebSocket.OPEN) this._ws.send(bytes);
  }

  control(msg: TerminalClientMessage): void {
    if (this._ws?.readyState === WebSocket.OPEN) this._ws.send(JSON.stringify(msg));
  }

  /** Drops the connection and opens a new one now (e.g. once the student gave the credentials a lab needs). */
  reconnect(): void {
    if (this._closed) return;
    clearTimeout(this._retryTimer);
    this._retryMs = 250;
    const old = this._ws;
    this._ws = undefined;
    old?.close();
    this._connect();
  }

  /** Closes the channel for good: no reconnect. */
  dispose(): void {
    this._closed = true;
    clearTimeout(this._retryTimer);
    this._ws?.close();
  }

  private _connect(): void {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const q = new URLSearchParams({ ...this._options.query, cols: String(this._term.cols), rows: String(this._term.rows) });
    const ws = new WebSocket(`${scheme}://${location.host}${TERMINAL_WS_PATH}?${q}`);
    ws.binaryType = 'arraybuffer';
    this._ws = ws;
    this._options.onState?.(this._retryMs > 250 ? 'reconnecting' : 'connecting');
    ws.onmessage = (ev) => {
      if (ws !== this._ws) return;
      if (typeof ev.data === 'string') return this._onControl(ev.data);
      const bytes = new Uint8Array(ev.data as ArrayBuffer);
      this._term.write(bytes, () => this._parsed(bytes.length));
    };
    ws.onclose = () => {
      if (this._closed || ws !== this._ws) return;
      this._options.onState?.('reconnecting');
      this._retryTimer = setTimeout(() => this._connect(), this._retryMs);
      this._retryMs = Math.min(this._retryMs * 2, 5000);
    };
  }

  private _onControl(text: string): void {
    let msg: ServerMessage;
    try {
      msg = JSON.parse(text) as ServerMessage;
    } catch {
      return;
    }
    if (msg.type === 'attached') {
      // The server replays the whole screen next; start from a clean terminal so nothing shows twice.
      this._term.reset();
      this._unackedParsed = 0;
      this._retryMs = 250;
      this._options.onState?.('connected');
    }
    this._options.onControl?.(msg);
  }

  private _parsed(bytes: number): void {
    this._unackedParsed += bytes;
    if (this._unackedParsed >= FLOW.ACK_EVERY) {
      this.control({ type: 'ack', bytes: this._unackedParsed });
      this._unackedParsed = 0;
    }
  }
}
