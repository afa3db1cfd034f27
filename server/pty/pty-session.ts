import * as nodePty from 'node-pty';
import { AckWindow } from '../core/flow-control.ts';
import { Disposable, toDisposable, type IDisposable } from '../core/lifecycle.ts';
import { Emitter } from '../core/event.ts';
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
}

/** One browser (or test client) attached to a session. */
export interface ITerminalSink {
  /** Sends the mirrored screen (escape sequences) that precedes live output. */
  sendReplay(screen: string): void;
  /** Sends a binary frame of terminal output. */
  sendOutput(frame: Buffer): void;
}

export interface PtyExit {
  exitCode: number;
  signal: number | null;
}

interface Attachment {
  readonly sink: ITerminalSink;
  readonly window: AckWindow;
  /** Output that arrived while the screen snapshot for this attachment was being taken. */
  queued: Buffer[] | undefined;
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
  private _paused = false;
  private _exited = false;
  private _cols: number;
  private _rows: number;
  private _resolveProcessExit!: () => void;
  /** Settles when the shell process has really gone (after exit, or after dispose killed it). */
  readonly processExit = new Promise<void>((resolve) => (this._resolveProcessExit = resolve));

  private readonly _onExit = this._register(new Emitter<PtyExit>());
  /** Fires once when the shell ends (exit or dispose). */
  readonly onExit = this._onExit.event;

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
    this._pty = nodePty.spawn(spec.file, spec.args, {
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
    const dataSub = this._pty.onData((data: string | Buffer) => {
      this._batcher.push(typeof data === 'string' ? Buffer.from(data) : data);
    });
    const exitSub = this._pty.onExit(({ exitCode, signal }) => {
      this._resolveProcessExit();
      if (this._exited) return;
      this._exited = true;
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

  get attachedCount(): number {
    return this._attachments.size;
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
    const attachment: Attachment = { sink, window: new AckWindow(), queued: [] };
    this._attachments.add(attachment);
    const detach = toDisposable(() => {
      this._attachments.delete(attachment);
      this._updatePause();
    });
    const snapshot = await this._mirror.snapshot();
    if (!this._attachments.has(attachment)) return detach; // detached while waiting
    sink.sendReplay(snapshot);
    // The client acknowledges the replay like any output, so it counts against the window too.
    attachment.window.sent(Buffer.byteLength(snapshot));
    const queued = attachment.queued ?? [];
    attachment.queued = undefined;
    let crossed = false;
    for (const frame of queued) crossed = this._sendTo(attachment, frame) || crossed;
    if (crossed) this._updatePause();
    return detach;
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
  }

  /** A client parsed `bytes` more bytes. */
  ack(sink: ITerminalSink, bytes: number): void {
    const attachment = this._find(sink);
    if (attachment?.window.acked(bytes)) this._updatePause();
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
    attachment.sink.sendOutput(frame);
    return attachment.window.sent(frame.length);
  }

  private _updatePause(): void {
    if (this._exited) return;
    const behind = this._mirror.backlogged || [...this._attachments].some((a) => a.window.blocked);
    if (behind && !this._paused) {
      this._paused = true;
      this._pty.pause();
    } else if (!behind && this._paused) {
      this._paused = false;
      this._pty.resume();
    }
  }
}
