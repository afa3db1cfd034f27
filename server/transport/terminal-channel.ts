import type { IncomingMessage } from 'node:http';
import { WebSocket, type RawData } from 'ws';
import { HttpError } from '../core/errors.ts';
import { Emitter } from '../core/event.ts';
import { DisposableStore, MutableDisposable, toDisposable, type IDisposable } from '../core/lifecycle.ts';
import {
  FLOW,
  LAB_ID_PATTERN,
  LEARNER_ID_PATTERN,
  SHADOW_QUERY_PARAM,
  TERMINAL_LIMITS,
  parseTerminalClientMessage,
  type TerminalServerMessage,
} from '../core/protocol.ts';
import type { PtyHost, PtySession, SessionKey, IObserverSink } from '../pty/index.ts';

/** What the terminal channel needs to know about a connection, decided before the upgrade. */
export interface TerminalRequest {
  key: SessionKey;
  cols: number;
  rows: number;
  /**
   * `shadow=1`: the connection asks to watch `key`'s terminal, not to be that learner. Whoever upgrades the
   * connection decides whether it may (an instructor of the student's classroom) and then passes
   * {@link TerminalChannelOptions.observer}.
   */
  shadow: boolean;
}

/** How a channel attaches. */
export interface TerminalChannelOptions {
  /**
   * Watch the learner's running shell read-only (an instructor shadowing a student): attach to the existing
   * shell only, never start one; never resize or restart it; never hold it back. Keystrokes reach the shell
   * only while `canWrite()` is true at that moment (the student accepted a write request).
   */
  observer?: { canWrite(): boolean };
}

/**
 * An observer whose connection has this much output not yet sent (WebSocket `bufferedAmount`) is behind: its
 * frames are dropped until it drains below {@link FLOW.LOW_WATERMARK}, then it gets a fresh screen. What the
 * server holds for a stalled observer is therefore this, plus at most one frame (256 KB) and one snapshot.
 */
export const OBSERVER_MAX_BUFFERED = FLOW.HIGH_WATERMARK;

/** Reads and validates the terminal channel's query string; undefined when it is not acceptable. */
export function parseTerminalRequest(req: IncomingMessage): TerminalRequest | undefined {
  const url = new URL(req.url ?? '/', 'http://x');
  const learnerId = url.searchParams.get('learner') ?? '';
  const labId = url.searchParams.get('lab') ?? '';
  if (!LEARNER_ID_PATTERN.test(learnerId) || !LAB_ID_PATTERN.test(labId)) return undefined;
  const cols = clampInt(url.searchParams.get('cols'), 80, TERMINAL_LIMITS.MAX_COLS);
  const rows = clampInt(url.searchParams.get('rows'), 24, TERMINAL_LIMITS.MAX_ROWS);
  return { key: { learnerId, labId }, cols, rows, shadow: url.searchParams.get(SHADOW_QUERY_PARAM) === '1' };
}

function clampInt(v: string | null, fallback: number, max: number): number {
  const n = Number(v);
  return Number.isInteger(n) && n >= 1 ? Math.min(n, max) : fallback;
}

/**
 * One browser tab's terminal: a WebSocket bound to the learner's shell. Closing it detaches without ending
 * the shell, so a reload or a dropped network reattaches to the same shell and gets its screen back.
 * With {@link TerminalChannelOptions.observer} it is an instructor's read-only view of that shell instead.
 */
export class TerminalChannel implements IDisposable, IObserverSink {
  private readonly _store = new DisposableStore();
  private readonly _attachment = this._store.add(new MutableDisposable<IDisposable>());
  private _session: PtySession | undefined;
  private _alive = true;
  private _backedUp = false;
  private readonly _onDrained = this._store.add(new Emitter<void>());
  readonly onDrained = this._onDrained.event;
  private readonly _observer: TerminalChannelOptions['observer'];

  constructor(
    private readonly _ws: WebSocket,
    private readonly _request: TerminalRequest,
    private readonly _host: PtyHost,
    private readonly _workspaceOf: (key: SessionKey) => string,
    options: TerminalChannelOptions = {},
  ) {
    this._observer = options.observer;
    const onMessage = (data: RawData, isBinary: boolean) => this._onMessage(data, isBinary);
    const onClose = () => this.dispose();
    _ws.on('message', onMessage);
    _ws.on('close', onClose);
    _ws.on('error', onClose);
    _ws.on('pong', () => (this._alive = true));
    // A connection that silently died (laptop lid closed) is found by ping and detached.
    const heartbeat = setInterval(() => {
      if (!this._alive) return void _ws.terminate();
      this._alive = false;
      _ws.ping();
    }, 30_000);
    this._store.add(
      toDisposable(() => {
        clearInterval(heartbeat);
        _ws.off('message', onMessage);
        _ws.off('close', onClose);
        _ws.off('error', onClose);
        if (_ws.readyState === WebSocket.OPEN || _ws.readyState === WebSocket.CONNECTING) _ws.close(1000);
      }),
    );
  }

  /** Opens (or finds) the learner's shell and attaches to it; an observer only finds it. */
  async start(): Promise<void> {
    if (this._observer) return this._startObserving();
    const { key, cols, rows } = this._request;
    let session: PtySession;
    try {
      session = await this._host.open(key, { cols, rows });
    } catch (err) {
      // An expected refusal (e.g. the lab's AWS target is missing) says why; anything else stays generic.
      this._send(
        err instanceof HttpError
          ? { type: 'error', code: err.code, message: err.message }
          : { type: 'error', code: 'ShellStartFailed', message: 'The shell could not be started.' },
      );
      this.dispose();
      throw err;
    }
    if (this._store.isDisposed) return;
    this._session = session;
    // The browser's size wins over whatever size the shell had from an earlier tab; set before attaching, so a
    // resize the browser sends once it is attached is not overwritten by this one.
    session.resize(cols, rows);
    this._send({ type: 'attached', sessionId: session.id, replay: true, workspace: this._workspaceOf(key), cols, rows });
    const exitSub = session.onExit((exit) => this._send({ type: 'exit', exitCode: exit.exitCode, signal: exit.signal }));
    const detach = await this._host.attach(session, this);
    this._attachment.value = toDisposable(() => {
      exitSub.dispose();
      detach.dispose();
    });
    if (this._store.isDisposed) this._attachment.dispose();
  }

  private async _startObserving(): Promise<void> {
    const session = this._host.get(this._request.key);
    if (!session || session.exited) {
      // Watching must never start a shell for the student (nor create their workspace).
      this._send({ type: 'error', code: 'NoShell', message: 'This learner has no terminal open for this lab.' });
      this.dispose();
      return;
    }
    this._session = session;
    const { cols, rows } = session.size;
    this._send({ type: 'attached', sessionId: session.id, replay: true, workspace: this._workspaceOf(this._request.key), cols, rows });
    const exitSub = session.onExit((exit) => this._send({ type: 'exit', exitCode: exit.exitCode, signal: exit.signal }));
    const resizeSub = session.onResize((size) => this._send({ type: 'size', ...size }));
    const detach = await this._host.observe(session, this);
    this._attachment.value = toDisposable(() => {
      exitSub.dispose();
      resizeSub.dispose();
      detach.dispose();
    });
    if (this._store.isDisposed) this._attachment.dispose();
  }

  sendReplay(screen: string): void {
    this.sendOutput(Buffer.from(screen, 'utf8'));
  }

  sendOutput(frame: Buffer): void {
    if (this._ws.readyState !== WebSocket.OPEN) return;
    if (!this._observer) return void this._ws.send(frame, { binary: true });
    // Observers learn when their backlog has drained from the send callbacks (ws has no drain event).
    this._ws.send(frame, { binary: true }, () => this._checkDrained());
  }

  /** Observers: too much output is waiting to be sent; stays true until it drains below the low watermark. */
  get backedUp(): boolean {
    if (!this._backedUp && this._ws.bufferedAmount > OBSERVER_MAX_BUFFERED) this._backedUp = true;
    return this._backedUp;
  }

  private _checkDrained(): void {
    if (!this._backedUp || this._ws.bufferedAmount > FLOW.LOW_WATERMARK) return;
    this._backedUp = false;
    this._onDrained.fire();
  }

  dispose(): void {
    this._store.dispose();
  }

  private _send(msg: TerminalServerMessage): void {
    if (this._ws.readyState === WebSocket.OPEN) this._ws.send(JSON.stringify(msg));
  }

  private _onMessage(data: RawData, isBinary: boolean): void {
    const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    if (isBinary) {
      if (buf.length > TERMINAL_LIMITS.MAX_INPUT_FRAME) return; // the client splits pastes; a bigger frame is abuse
      // An observer types only while the student allows it, asked at each keystroke (access can be taken back).
      if (this._observer && !this._observer.canWrite()) return;
      this._session?.input(buf);
      return;
    }
    const msg = parseTerminalClientMessage(buf.toString('utf8'));
    if (!msg) return; // malformed control frames are dropped, never fatal
    // The student's terminal is theirs: an observer neither resizes nor restarts it, and has no ack window.
    if (this._observer) return;
    switch (msg.type) {
      case 'resize':
        this._session?.resize(msg.cols, msg.rows);
        break;
      case 'ack':
        this._session?.ack(this, msg.bytes);
        break;
      case 'restart':
        if (this._session?.exited) {
          this._attachment.value = undefined;
          this.start().catch(() => undefined);
        }
        break;
    }
  }
}
