import type { IncomingMessage } from 'node:http';
import { WebSocket, type RawData } from 'ws';
import { HttpError } from '../core/errors.ts';
import { DisposableStore, MutableDisposable, toDisposable, type IDisposable } from '../core/lifecycle.ts';
import {
  LAB_ID_PATTERN,
  LEARNER_ID_PATTERN,
  TERMINAL_LIMITS,
  parseTerminalClientMessage,
  type TerminalServerMessage,
} from '../core/protocol.ts';
import type { PtyHost, PtySession, SessionKey, ITerminalSink } from '../pty/index.ts';

/** What the terminal channel needs to know about a connection, decided before the upgrade. */
export interface TerminalRequest {
  key: SessionKey;
  cols: number;
  rows: number;
}

/** Reads and validates the terminal channel's query string; undefined when it is not acceptable. */
export function parseTerminalRequest(req: IncomingMessage): TerminalRequest | undefined {
  const url = new URL(req.url ?? '/', 'http://x');
  const learnerId = url.searchParams.get('learner') ?? '';
  const labId = url.searchParams.get('lab') ?? '';
  if (!LEARNER_ID_PATTERN.test(learnerId) || !LAB_ID_PATTERN.test(labId)) return undefined;
  const cols = clampInt(url.searchParams.get('cols'), 80, TERMINAL_LIMITS.MAX_COLS);
  const rows = clampInt(url.searchParams.get('rows'), 24, TERMINAL_LIMITS.MAX_ROWS);
  return { key: { learnerId, labId }, cols, rows };
}

function clampInt(v: string | null, fallback: number, max: number): number {
  const n = Number(v);
  return Number.isInteger(n) && n >= 1 ? Math.min(n, max) : fallback;
}

/**
 * One browser tab's terminal: a WebSocket bound to the learner's shell. Closing it detaches without ending
 * the shell, so a reload or a dropped network reattaches to the same shell and gets its screen back.
 */
export class TerminalChannel implements IDisposable, ITerminalSink {
  private readonly _store = new DisposableStore();
  private readonly _attachment = this._store.add(new MutableDisposable<IDisposable>());
  private _session: PtySession | undefined;
  private _alive = true;

  constructor(
    private readonly _ws: WebSocket,
    private readonly _request: TerminalRequest,
    private readonly _host: PtyHost,
    private readonly _workspaceOf: (key: SessionKey) => string,
  ) {
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

  /** Opens (or finds) the learner's shell and attaches to it. */
  async start(): Promise<void> {
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
    this._send({ type: 'attached', sessionId: session.id, replay: true, workspace: this._workspaceOf(key) });
    const exitSub = session.onExit((exit) => this._send({ type: 'exit', exitCode: exit.exitCode, signal: exit.signal }));
    const detach = await this._host.attach(session, this);
    this._attachment.value = toDisposable(() => {
      exitSub.dispose();
      detach.dispose();
    });
    if (this._store.isDisposed) this._attachment.dispose();
    // The browser's size wins over whatever size the shell had from an earlier tab.
    session.resize(cols, rows);
  }

  sendReplay(screen: string): void {
    if (this._ws.readyState === WebSocket.OPEN) this._ws.send(Buffer.from(screen, 'utf8'), { binary: true });
  }

  sendOutput(frame: Buffer): void {
    if (this._ws.readyState === WebSocket.OPEN) this._ws.send(frame, { binary: true });
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
      this._session?.input(buf);
      return;
    }
    const msg = parseTerminalClientMessage(buf.toString('utf8'));
    if (!msg) return; // malformed control frames are dropped, never fatal
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
