import { randomUUID } from 'node:crypto';
import { Emitter } from '../core/event.ts';
import { Disposable, toDisposable, type IDisposable } from '../core/lifecycle.ts';
import { PtySession, type ShellSpec, type ITerminalSink, type IObserverSink } from './pty-session.ts';
import { ScreenMirrorThread } from './screen-mirror-thread.ts';

/** A learner's shell for one lab. */
export interface SessionKey {
  learnerId: string;
  labId: string;
}

export interface PtyHostOptions {
  /** A shell with no browser attached is ended after this long. */
  idleTimeoutMs: number;
  /** Prepares the workspace and says how to start the shell for this learner and lab. */
  shellFor(key: SessionKey, size: { cols: number; rows: number }): Promise<ShellSpec>;
}

const keyOf = (k: SessionKey) => `${k.learnerId}\u0000${k.labId}`;

/** A command a learner ran in a recorded shell (ShellSpec.recordCommands). */
export interface CommandEvent {
  key: SessionKey;
  command: string;
  exitCode: number;
  /** Server time when it finished (ms since the epoch). */
  at: number;
}

/**
 * Owns every shell: one per learner and lab. A shell outlives its browser connections (a reload or a dropped
 * socket reattaches to it) until it has been idle — nobody attached — for `idleTimeoutMs`.
 */
export class PtyHost extends Disposable {
  private readonly _sessions = new Map<string, PtySession>();
  private readonly _idleTimers = new Map<PtySession, NodeJS.Timeout>();
  private readonly _starting = new Map<string, Promise<PtySession>>();
  /** One thread mirrors every session's screen. */
  private readonly _mirrors = new ScreenMirrorThread();

  private readonly _onCommand = this._register(new Emitter<CommandEvent>());
  /** A learner's recorded shell ran a command (only shells whose spec says `recordCommands`). */
  readonly onCommand = this._onCommand.event;

  constructor(private readonly _options: PtyHostOptions) {
    super();
    this._register(
      toDisposable(() => {
        for (const timer of this._idleTimers.values()) clearTimeout(timer);
        this._idleTimers.clear();
        for (const session of [...this._sessions.values()]) session.dispose();
        this._sessions.clear();
        this._mirrors.dispose();
      }),
    );
  }

  /** Ends every shell and waits (up to `timeoutMs`) until their processes are gone. */
  async shutdown(timeoutMs = 3000): Promise<void> {
    const sessions = [...this._sessions.values()];
    this.dispose();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    await Promise.race([Promise.all(sessions.map((s) => s.processExit)), timeout]);
    clearTimeout(timer);
  }

  get sessionCount(): number {
    return this._sessions.size;
  }

  get(key: SessionKey): PtySession | undefined {
    return this._sessions.get(keyOf(key));
  }

  /** The learner's live shell for this lab, started if there is none. */
  open(key: SessionKey, size: { cols: number; rows: number }): Promise<PtySession> {
    const k = keyOf(key);
    const live = this._sessions.get(k);
    if (live && !live.exited) return Promise.resolve(live);
    // Two tabs opening at once must get the same shell, not two.
    let starting = this._starting.get(k);
    if (!starting) {
      starting = this._start(k, key, size).finally(() => this._starting.delete(k));
      this._starting.set(k, starting);
    }
    return starting;
  }

  /** Attaches a client to a session, pausing its idle clock while anyone is attached. */
  async attach(session: PtySession, sink: ITerminalSink): Promise<IDisposable> {
    this._clearIdle(session);
    const detach = await session.attach(sink);
    return toDisposable(() => {
      detach.dispose();
      if (session.attachedCount === 0 && !session.exited && !this.isDisposed) this._armIdle(session);
    });
  }

  /**
   * Attaches a read-only observer (an instructor shadowing): it neither pauses the shell nor keeps it alive
   * (the idle clock runs as if it were not there). Input is the caller's decision: see TerminalChannel.
   */
  observe(session: PtySession, sink: IObserverSink): Promise<IDisposable> {
    return session.observe(sink);
  }

  private async _start(k: string, key: SessionKey, size: { cols: number; rows: number }): Promise<PtySession> {
    const spec = await this._options.shellFor(key, size);
    if (this.isDisposed) throw new Error('server is shutting down');
    const session = new PtySession(randomUUID(), spec, this._mirrors.create(spec.cols, spec.rows));
    this._sessions.set(k, session);
    if (spec.recordCommands) session.onCommand((c) => this._onCommand.fire({ key, ...c }));
    session.onExit(() => {
      this._clearIdle(session);
      if (this._sessions.get(k) === session) this._sessions.delete(k);
      // Let the exit message reach attached clients before the session's resources go.
      setImmediate(() => session.dispose());
    });
    this._armIdle(session);
    return session;
  }

  private _armIdle(session: PtySession): void {
    this._clearIdle(session);
    const timer = setTimeout(() => session.dispose(), this._options.idleTimeoutMs);
    timer.unref();
    this._idleTimers.set(session, timer);
  }

  private _clearIdle(session: PtySession): void {
    const timer = this._idleTimers.get(session);
    if (timer) clearTimeout(timer);
    this._idleTimers.delete(session);
  }
}
