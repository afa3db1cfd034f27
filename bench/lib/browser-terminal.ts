import { WebSocket } from 'ws';
import { FLOW, TERMINAL_WS_PATH, type TerminalServerMessage } from '../../server/core/protocol.ts';

export interface BrowserTerminalOptions {
  learner: string;
  lab?: string;
  cols?: number;
  rows?: number;
  /** How fast "xterm.js" parses, in bytes per second. */
  parseBytesPerSecond: number;
  /**
   * A slow link: stop reading the socket while more than this many frames wait to be parsed, so unsent output
   * backs up in the server (a browser reads its socket eagerly; a congested network does not).
   */
  pauseSocketAfterFrames?: number;
}

interface PendingWrite {
  bytes: Buffer;
  /** performance.now() at which the simulated parser is done with this frame. */
  doneAt: number;
}

/** Frames whose simulated parse ends within this many ms are completed at once (timers are ~1 ms coarse). */
const IMMEDIATE_MS = 1;

/**
 * A terminal client that behaves like the browser's (client/src/terminal-view.ts) as far as the server can tell:
 * binary frames are queued for a parser that runs at a bounded rate, and from each frame's "write callback"
 * (after it is parsed) the client acknowledges in steps of FLOW.ACK_EVERY. The parser is simulated with a clock
 * rather than burnt on the CPU, so the client does not compete with the server for this machine's 2 cores.
 * Waiting for text sees only parsed output, as a learner does.
 */
export class BrowserTerminal {
  readonly messages: TerminalServerMessage[] = [];
  private readonly _queue: PendingWrite[] = [];
  private _parserFreeAt = 0;
  private _timer: NodeJS.Timeout | undefined;
  private _unackedParsed = 0;
  private _parsedBytes = 0;
  private _receivedBytes = 0;
  private _tail = '';
  private _socketPaused = false;
  private _watchers = new Set<() => void>();

  private constructor(
    private readonly _ws: WebSocket,
    private readonly _opts: BrowserTerminalOptions,
  ) {
    _ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary) {
        this.messages.push(JSON.parse(data.toString('utf8')) as TerminalServerMessage);
        this._notify();
        return;
      }
      this._receivedBytes += data.length;
      const now = performance.now();
      const start = Math.max(now, this._parserFreeAt);
      this._parserFreeAt = start + (data.length / this._opts.parseBytesPerSecond) * 1000;
      this._queue.push({ bytes: data, doneAt: this._parserFreeAt });
      const limit = this._opts.pauseSocketAfterFrames;
      if (limit !== undefined && this._queue.length > limit && !this._socketPaused) {
        this._socketPaused = true;
        this._socket()?.pause();
      }
      this._pump();
    });
  }

  static connect(baseUrl: string, opts: BrowserTerminalOptions): Promise<BrowserTerminal> {
    const q = new URLSearchParams({
      learner: opts.learner,
      lab: opts.lab ?? 'welcome',
      cols: String(opts.cols ?? 120),
      rows: String(opts.rows ?? 40),
    });
    const ws = new WebSocket(baseUrl.replace(/^http/, 'ws') + `${TERMINAL_WS_PATH}?${q}`);
    const client = new BrowserTerminal(ws, opts);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('error', reject);
    });
  }

  get parsedBytes(): number {
    return this._parsedBytes;
  }

  get receivedBytes(): number {
    return this._receivedBytes;
  }

  /** Keystrokes, as the browser sends them: one binary frame. */
  type(data: string): void {
    this._ws.send(Buffer.from(data, 'utf8'), { binary: true });
  }

  /** Forgets the parsed text seen so far, so the next wait matches only later output. */
  clearText(): void {
    this._tail = '';
  }

  /** Resolves once the parsed text (since the last {@link clearText}) matches; rejects after `timeoutMs`. */
  waitForText(pattern: RegExp, timeoutMs = 60_000): Promise<void> {
    return this._waitUntil(() => pattern.test(this._tail), () => `${pattern}; last text: ${JSON.stringify(this._tail.slice(-300))}`, timeoutMs);
  }

  /** Resolves once `bytes` more bytes than now have been parsed. */
  waitForParsedBytes(bytes: number, timeoutMs = 60_000): Promise<void> {
    const goal = this._parsedBytes + bytes;
    return this._waitUntil(() => this._parsedBytes >= goal, () => `${bytes} parsed bytes`, timeoutMs);
  }

  async waitForMessage(type: TerminalServerMessage['type'], timeoutMs = 30_000): Promise<void> {
    await this._waitUntil(() => this.messages.some((m) => m.type === type), () => `a '${type}' message`, timeoutMs);
  }

  close(): Promise<void> {
    clearTimeout(this._timer);
    return new Promise((resolve) => {
      if (this._ws.readyState === WebSocket.CLOSED) return resolve();
      this._ws.once('close', () => resolve());
      this._ws.close();
    });
  }

  private _waitUntil(done: () => boolean, what: () => string, timeoutMs: number): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!done()) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what()}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this._watchers.delete(check);
      };
      this._watchers.add(check);
    });
  }

  /** Completes every frame whose parse time is over, in order, then sleeps until the next one is. */
  private _pump(): void {
    clearTimeout(this._timer);
    this._timer = undefined;
    let parsedAny = false;
    while (this._queue.length > 0 && this._queue[0]!.doneAt - performance.now() < IMMEDIATE_MS) {
      this._parsed(this._queue.shift()!.bytes);
      parsedAny = true;
    }
    if (this._socketPaused && this._queue.length <= (this._opts.pauseSocketAfterFrames ?? Infinity)) {
      this._socketPaused = false;
      this._socket()?.resume();
    }
    if (parsedAny) this._notify();
    const next = this._queue[0];
    if (next) this._timer = setTimeout(() => this._pump(), next.doneAt - performance.now());
  }

  /** xterm's write callback: the browser acknowledges from here (terminal-view.ts `_parsed`). */
  private _parsed(bytes: Buffer): void {
    this._parsedBytes += bytes.length;
    // Only the end of a frame can hold a prompt or an echo; decoding 68 MB would measure this client.
    this._tail = (this._tail + bytes.subarray(-4096).toString('latin1')).slice(-8192);
    this._unackedParsed += bytes.length;
    if (this._unackedParsed >= FLOW.ACK_EVERY && this._ws.readyState === WebSocket.OPEN) {
      this._ws.send(JSON.stringify({ type: 'ack', bytes: this._unackedParsed }));
      this._unackedParsed = 0;
    }
  }

  private _notify(): void {
    for (const check of [...this._watchers]) check();
  }

  private _socket(): { pause(): void; resume(): void } | undefined {
    // ws keeps the net.Socket private; pausing it is how a slow link looks to the server (TCP backpressure).
    return (this._ws as unknown as { _socket?: { pause(): void; resume(): void } })._socket;
  }
}
