import { WebSocket } from 'ws';
import { FLOW, TERMINAL_WS_PATH, type TerminalServerMessage } from '../../server/core/protocol.ts';

export interface TerminalClientOptions {
  learner?: string;
  lab?: string;
  cols?: number;
  rows?: number;
  origin?: string;
  headers?: Record<string, string>;
  /** More query parameters, e.g. `{ shadow: '1' }` to watch `learner`'s terminal. */
  query?: Record<string, string>;
  /**
   * Acknowledge like the browser does (after "parsing"). A delay per frame makes a slow client;
   * `false` never acknowledges at all.
   */
  ack?: { delayMs: number } | false;
}

/** A terminal client that speaks the same protocol as the browser, for tests and benchmarks. */
export class TerminalClient {
  readonly messages: TerminalServerMessage[] = [];
  private _text = '';
  private _bytes = 0;
  private _unackedParsed = 0;
  private _waiters: Array<() => void> = [];
  private _ackChain: Promise<void> = Promise.resolve();
  private _parseQueue = 0;

  private constructor(readonly ws: WebSocket, private readonly _ack: TerminalClientOptions['ack']) {
    ws.on('message', (data, isBinary) => {
      const buf = data as Buffer;
      if (!isBinary) {
        this.messages.push(JSON.parse(buf.toString('utf8')) as TerminalServerMessage);
      } else {
        this._bytes += buf.length;
        // Keep only a bounded tail: a flood test must not measure this client's own memory.
        this._text = (this._text + buf.toString('utf8')).slice(-200_000);
        this._scheduleAck(buf.length);
      }
      for (const w of this._waiters.splice(0)) w();
    });
  }

  static connect(baseUrl: string, opts: TerminalClientOptions = {}): Promise<TerminalClient> {
    const q = new URLSearchParams({
      learner: opts.learner ?? 'tester',
      lab: opts.lab ?? 'welcome',
      cols: String(opts.cols ?? 80),
      rows: String(opts.rows ?? 24),
      ...opts.query,
    });
    const url = baseUrl.replace(/^http/, 'ws') + `${TERMINAL_WS_PATH}?${q}`;
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (opts.origin) headers.origin = opts.origin;
    const ws = new WebSocket(url, { headers });
    const client = new TerminalClient(ws, opts.ack ?? { delayMs: 0 });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`refused: ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  /** Everything received so far (tail), as text. */
  get text(): string {
    return this._text;
  }

  get bytesReceived(): number {
    return this._bytes;
  }

  /** Types into the shell. */
  type(data: string): void {
    this.ws.send(Buffer.from(data, 'utf8'), { binary: true });
  }

  resize(cols: number, rows: number): void {
    this.ws.send(JSON.stringify({ type: 'resize', cols, rows }));
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Waits until the received text matches, or fails after `timeoutMs` with what was seen. */
  async waitFor(pattern: string | RegExp, timeoutMs = 15_000): Promise<void> {
    const matches = () => (typeof pattern === 'string' ? this._text.includes(pattern) : pattern.test(this._text));
    const deadline = Date.now() + timeoutMs;
    while (!matches()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${String(pattern)}; last output:\n${this._text.slice(-2000)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 250));
        this._waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async waitForMessage(type: TerminalServerMessage['type'], timeoutMs = 15_000): Promise<TerminalServerMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find((m) => m.type === type);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no '${type}' message within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.ws.readyState === WebSocket.CLOSED) return resolve();
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }

  private _scheduleAck(bytes: number): void {
    const ack = this._ack;
    if (ack === false || ack === undefined) return;
    // Frames are "parsed" one after another, like xterm's write queue. A slow client also stops reading its
    // socket while it is behind (as a slow link or a busy browser does), so unsent output backs up in the server.
    const socket = (this.ws as unknown as { _socket?: { pause(): void; resume(): void } })._socket;
    if (ack.delayMs > 0 && ++this._parseQueue > 4) socket?.pause();
    this._ackChain = this._ackChain.then(async () => {
      if (ack.delayMs > 0) {
        await new Promise((r) => setTimeout(r, ack.delayMs));
        if (--this._parseQueue <= 4) socket?.resume();
      }
      this._unackedParsed += bytes;
      if (this._unackedParsed >= FLOW.ACK_EVERY && this.ws.readyState === WebSocket.OPEN) {
        this.ws.send(JSON.stringify({ type: 'ack', bytes: this._unackedParsed }));
        this._unackedParsed = 0;
      }
    });
  }
}
