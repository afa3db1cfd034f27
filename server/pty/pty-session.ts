import * as nodePty from 'node-pty';
import { AckWindow } from '../core/flow-control.ts';
import { Disposable, toDisposable, type IDisposable } from '../core/lifecycle.ts';
import { Emitter, type Event } from '../core/event.ts';
import { ShellEventParser } from '../core/shell-events.ts';
import { OutputBatcher, type BatcherOptions } from './output-batcher.ts';
import type { IScreenMirror } from './screen-mirror.ts';

/** How to start a shell. */
export interface ShellSpec {
  file: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  cols: number;
  rows: number;
  /**
   * The shell reports each command it ran (its rc file installs the prompt hook): the session strips those
   * reports from the output and fires {@link PtySession.onCommand}. Off, the output path is untouched.
   */
  recordCommands?: boolean;
  /**
   * Files outside the workspace the shell reads when it starts (the rc file of a recorded shell): whatever
   * confines the shell must let it read them (e.g. bind them read-only), or the hook is silently missing.
   */
  readablePaths?: string[];
  /**
   * CPU niceness added to the server's for the shell and everything it starts (default {@link SHELL_NICENESS};
   * 0 = the server's own), so what learners run cannot starve what serves them.
   */
  niceness?: number;
}

/**
 * Learners' shells run below the server's CPU priority. In a class, 100 students starting the AWS CLI (a Python
 * process of ~0.5 s CPU each) at once want more than 2 cores; at equal priority the server, with its fair
 * share of 1/40 of the machine, then answered keystrokes and checks seconds late (docs/benchmarks.md#classroom).
 * A shell waiting at its prompt still wakes ahead of running programs, so echo does not suffer from this.
 */
export const SHELL_NICENESS = 10;
/** coreutils' nice: the shell is started through it, so the priority holds from its first instruction on. */
const NICE = '/usr/bin/nice';

/** One browser (or test client) attached to a session. */
export interface ITerminalSink {
  /** Sends the mirrored screen (escape sequences) that precedes live output. */
  sendReplay(screen: string): void;
  /** Sends a binary frame of terminal output. */
  sendOutput(frame: Buffer): void;
}

/**
 * A read-only watcher (an instructor shadowing a student). It never holds the shell back: while it is backed
 * up its frames are dropped, and once it has drained it gets a fresh screen instead of what it missed.
 */
export interface IObserverSink extends ITerminalSink {
  /** True while too much output sent to it has not left the server (its connection is slower than the shell). */
  readonly backedUp: boolean;
  /** Fires when a sink that was backed up has drained. */
  readonly onDrained: Event<void>;
}

/** A command the shell reported, stamped with the server's time. */
export interface PtyCommand {
  command: string;
  exitCode: number;
  /** Server time (ms since the epoch) when the report arrived, i.e. when the command finished. */
  at: number;
}

/**
 * `ESC c` (full reset): clears an observer's stale screen and scrollback before the fresh snapshot, so what it
 * shows is exactly the student's screen again.
 */
const RESET = '\x1bc';

/** A record cut off at the end of a chunk waits this long for its end before it is passed on as output. */
const HELD_OUTPUT_MS = 50;

export interface PtyExit {
  exitCode: number;
  signal: number | null;
}

interface Attachment {
  readonly sink: ITerminalSink;
  /** Participants' acknowledgement window; observers have none (they never pause the shell). */
  readonly window: AckWindow | undefined;
  readonly observer: IObserverSink | undefined;
  /** Output that arrived while the screen snapshot for this attachment was being taken. */
  queued: Buffer[] | undefined;
  /** An observer that dropped output and needs a fresh screen once it has drained. */
  stale: boolean;
}

/**
 * A real shell under node-pty, shared by every browser attached to it.
 * Output is batched, mirrored for replay, and flow-controlled: the pty is paused while any attached client
 * has more than the high watermark unacknowledged, so a flood can neither freeze the tab nor grow memory.
 */
export class PtySession extends Disposable {
  private readonly _pty: nodePty.IPty;
  private readonly _mirror: IScreenMirror;
  private readonly _batcher: OutputBatcher;
  private readonly _attachments = new Set<Attachment>();
  private _participants = 0;
  private _paused = false;
  /** Passes on output held back by the command parser (recorded shells only). */
  private _flushHeld: (() => void) | undefined;
  private _exited = false;
  private _cols: number;
  private _rows: number;
  private _resolveProcessExit!: () => void;
  /** Settles when the shell process has really gone (after exit, or after dispose killed it). */
  readonly processExit = new Promise<void>((resolve) => (this._resolveProcessExit = resolve));

  private readonly _onExit = this._register(new Emitter<PtyExit>());
  /** Fires once when the shell ends (exit or dispose). */
  readonly onExit = this._onExit.event;

  private readonly _onCommand = this._register(new Emitter<PtyCommand>());
  /** A command finished (only for shells started with `recordCommands`). */
  readonly onCommand = this._onCommand.event;

  private readonly _onResize = this._register(new Emitter<{ cols: number; rows: number }>());
  /** The pty's size changed (observers follow the student's size). */
  readonly onResize = this._onResize.event;

  constructor(
    readonly id: string,
    spec: ShellSpec,
    /** The screen kept for replay, sized `spec.cols`×`spec.rows`; the session owns it from here. */
    mirror: IScreenMirror,
    batcherOptions: Partial<BatcherOptions> = {},
  ) {
    super();
    this._cols = spec.cols;
    this._rows = spec.rows;
    this._mirror = this._register(mirror);
    // A mirror parsed off the main thread can fall behind; it then holds the shell back like a slow client.
    this._register(this._mirror.onCaughtUp(() => this._updatePause()));
    this._batcher = this._register(new OutputBatcher((frame) => this._broadcast(frame), batcherOptions));
    // Through nice rather than setpriority() after the spawn: a wrapper that forks at once (bubblewrap) would
    // otherwise race it, and its child keep the server's priority.
    const niceness = spec.niceness ?? SHELL_NICENESS;
    const [file, args] = niceness === 0 ? [spec.file, spec.args] : [NICE, ['-n', String(niceness), '--', spec.file, ...spec.args]];
    this._pty = nodePty.spawn(file, args, {
      name: 'xterm-256color',
      cols: spec.cols,
      rows: spec.rows,
      cwd: spec.cwd,
      env: spec.env,
      // Bytes, not strings: no decode/re-encode on the hot path, and no split UTF-8 sequences.
      encoding: null,
      // XON/XOFF would clash with shells binding ^S/^Q; we pause with acknowledgements instead.
      handleFlowControl: false,
    } as nodePty.IPtyForkOptions);
    const onOutput = spec.recordCommands ? this._commandRecorder() : (data: Buffer) => this._batcher.push(data);
    const dataSub = this._pty.onData((data: string | Buffer) => {
      onOutput(typeof data === 'string' ? Buffer.from(data) : data);
    });
    const exitSub = this._pty.onExit(({ exitCode, signal }) => {
      this._resolveProcessExit();
      if (this._exited) return;
      this._exited = true;
      this._flushHeld?.();
      this._batcher.flush();
      this._onExit.fire({ exitCode, signal: signal ?? null });
    });
    this._register(
      toDisposable(() => {
        dataSub.dispose();
        if (!this._exited) {
          // Trailing output is flushed by the batcher's own dispose; then the process group goes.
          try {
            this._pty.kill('SIGHUP');
          } catch {
            /* already gone */
          }
          this._exited = true;
          this._onExit.fire({ exitCode: 129, signal: 1 });
        } else {
          exitSub.dispose();
        }
      }),
    );
  }

  get pid(): number {
    return this._pty.pid;
  }

  get exited(): boolean {
    return this._exited;
  }

  /** Clients attached as participants (observers not counted: they neither keep a shell alive nor pause it). */
  get attachedCount(): number {
    return this._participants;
  }

  get observerCount(): number {
    return this._attachments.size - this._participants;
  }

  get size(): { cols: number; rows: number } {
    return { cols: this._cols, rows: this._rows };
  }

  /**
   * Attaches a client: first the mirrored screen goes to `sink.sendReplay`, then live output. Output produced
   * while the snapshot is taken is queued for this client, so it sees every byte exactly once and in order.
   * Dispose the result to detach.
   */
  async attach(sink: ITerminalSink): Promise<IDisposable> {
    const attachment: Attachment = { sink, window: new AckWindow(), observer: undefined, queued: [], stale: false };
    this._attachments.add(attachment);
    this._participants++;
    const detach = toDisposable(() => {
      this._attachments.delete(attachment);
      this._participants--;
      this._updatePause();
    });
    await this._replayTo(attachment, '');
    return detach;
  }

  /**
   * Attaches a read-only observer: the screen, then live output, like {@link attach}, but it does not count
   * for flow control. While `sink.backedUp` its frames are dropped; when it has drained it gets a reset and a
   * fresh snapshot of the screen, so it catches up without the server keeping what it missed.
   */
  async observe(sink: IObserverSink): Promise<IDisposable> {
    const attachment: Attachment = { sink, window: undefined, observer: sink, queued: [], stale: false };
    this._attachments.add(attachment);
    const drained = sink.onDrained(() => {
      if (attachment.stale && !attachment.queued) this._resync(attachment);
    });
    const detach = toDisposable(() => {
      drained.dispose();
      this._attachments.delete(attachment);
    });
    await this._replayTo(attachment, '');
    return detach;
  }

  /** Sends the mirrored screen, then the frames queued while it was taken (`attachment.queued` must be set). */
  private async _replayTo(attachment: Attachment, prefix: string): Promise<void> {
    const snapshot = await this._mirror.snapshot();
    if (!this._attachments.has(attachment)) return; // detached while waiting
    const screen = prefix + snapshot;
    attachment.sink.sendReplay(screen);
    // The client acknowledges the replay like any output, so it counts against the window too.
    attachment.window?.sent(Buffer.byteLength(screen));
    const queued = attachment.queued ?? [];
    attachment.queued = undefined;
    let crossed = false;
    for (const frame of queued) crossed = this._sendTo(attachment, frame) || crossed;
    if (crossed) this._updatePause();
  }

  private _resync(attachment: Attachment): void {
    if (attachment.observer?.backedUp) return; // still behind: the next drain tries again
    attachment.stale = false;
    attachment.queued = [];
    // Only fails when the session is going away, and then the observer is told by the exit message.
    this._replayTo(attachment, RESET).catch(() => undefined);
  }

  /** Keystrokes or pasted text from a client. */
  input(data: string | Buffer): void {
    if (this._exited) return;
    this._pty.write(typeof data === 'string' ? data : data.toString('utf8'));
  }

  resize(cols: number, rows: number): void {
    if (this._exited || (cols === this._cols && rows === this._rows)) return;
    this._cols = cols;
    this._rows = rows;
    this._pty.resize(cols, rows);
    this._mirror.resize(cols, rows);
    this._onResize.fire({ cols, rows });
  }

  /** A client parsed `bytes` more bytes. */
  ack(sink: ITerminalSink, bytes: number): void {
    const attachment = this._find(sink);
    if (attachment?.window?.acked(bytes)) this._updatePause();
  }

  private _find(sink: ITerminalSink): Attachment | undefined {
    for (const a of this._attachments) if (a.sink === sink) return a;
    return undefined;
  }

  private _broadcast(frame: Buffer): void {
    // The mirror sees exactly the frames clients see, so an attach's snapshot plus the frames queued for it
    // while the snapshot was taken hold every byte once. Frames, not pty chunks: ~100× fewer messages.
    this._mirror.write(frame);
    let crossed = this._mirror.backlogged;
    for (const attachment of this._attachments) {
      if (attachment.queued) {
        attachment.queued.push(frame);
        continue;
      }
      crossed = this._sendTo(attachment, frame) || crossed;
    }
    if (crossed) this._updatePause();
  }

  private _sendTo(attachment: Attachment | undefined, frame: Buffer): boolean {
    if (!attachment) return false;
    const observer = attachment.observer;
    if (observer) {
      if (observer.backedUp) {
        // Dropped: the stale screen is replaced by a snapshot once the observer has drained (onDrained).
        attachment.stale = true;
        return false;
      }
      if (attachment.stale) {
        // Drained: the snapshot (the mirror has this frame already) replaces what it missed and this frame.
        this._resync(attachment);
        return false;
      }
      observer.sendOutput(frame);
      return false;
    }
    attachment.sink.sendOutput(frame);
    return attachment.window?.sent(frame.length) ?? false;
  }

  /** Output goes through the record parser first: reports are stripped before the mirror and clients see it. */
  private _commandRecorder(): (data: Buffer) => void {
    const parser = new ShellEventParser(({ command, exitCode }) => this._onCommand.fire({ command, exitCode, at: Date.now() }));
    const pass = (bytes: Uint8Array) => {
      if (bytes.length > 0) this._batcher.push(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
    };
    // A record is one write of the hook, so its end follows at once; anything else held back (a lone ESC at
    // the end of a chunk) must not wait for the next output forever.
    let heldTimer: NodeJS.Timeout | undefined;
    const flushHeld = () => {
      clearTimeout(heldTimer);
      heldTimer = undefined;
      pass(parser.flush());
    };
    this._flushHeld = flushHeld;
    this._register(toDisposable(() => clearTimeout(heldTimer)));
    return (data) => {
      pass(parser.push(data));
      if (parser.holding && !heldTimer) heldTimer = setTimeout(flushHeld, HELD_OUTPUT_MS);
      else if (!parser.holding && heldTimer) {
        clearTimeout(heldTimer);
        heldTimer = undefined;
      }
    };
  }

  private _updatePause(): void {
    if (this._exited) return;
    const behind = this._mirror.backlogged || [...this._attachments].some((a) => a.window?.blocked);
    if (behind && !this._paused) {
      this._paused = true;
      this._pty.pause();
    } else if (!behind && this._paused) {
      this._paused = false;
      this._pty.resume();
    }
  }
}
