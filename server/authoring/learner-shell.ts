import type { IDisposable } from '../core/lifecycle.ts';
import type { PtyHost, PtySession, SessionKey, ITerminalSink } from '../pty/index.ts';
import { plainText } from './verdict.ts';

/** How a command typed into the learner's terminal ended. */
export interface TypedCommandResult {
  /** Undefined when it did not finish in time (it was interrupted with Ctrl-C). */
  exitCode?: number;
  timedOut: boolean;
  durationMs: number;
  /** What it printed, as plain text (escape sequences removed), at most the last 20,000 characters. */
  output: string;
}

const MAX_CAPTURE = 200_000;

/**
 * The learner's own terminal, driven in-process: the same shell the browser would attach to (PtyHost.open
 * prepares the workspace and builds the environment: sandbox credentials, the `aws` wrapper, DOCKER_HOST).
 * Commands are typed into it as a learner would type them; a marker printed after each one carries its exit code.
 */
export class LearnerShell {
  private _captured = '';
  private _waiters: Array<() => void> = [];
  private _seq = 0;
  private _broken: string | undefined;

  private constructor(
    private readonly _session: PtySession,
    private readonly _sink: ITerminalSink,
    private _detach: IDisposable | undefined,
  ) {}

  /** Opens (starting if needed) the learner's terminal for a lab and waits until its shell answers. */
  static async open(ptyHost: PtyHost, key: SessionKey, size = { cols: 240, rows: 50 }): Promise<LearnerShell> {
    const session = await ptyHost.open(key, size);
    let shell: LearnerShell | undefined;
    const sink: ITerminalSink = {
      sendReplay: () => undefined,
      sendOutput: (frame) => shell?._onOutput(frame),
    };
    shell = new LearnerShell(session, sink, undefined);
    shell._detach = await ptyHost.attach(session, sink);
    if (!(await shell._sync(15_000))) throw new Error(`the learner's shell did not answer: ${plainText(shell._captured).slice(-500)}`);
    return shell;
  }

  /**
   * Types `command` (one line, without a newline) and waits for it to finish. After `timeoutMs` (or when
   * `signal` aborts) it is interrupted with Ctrl-C; a shell that does not come back after that is broken, and
   * later commands fail at once.
   */
  async run(command: string, timeoutMs: number, signal?: AbortSignal): Promise<TypedCommandResult> {
    const started = Date.now();
    if (this._broken) return { timedOut: true, durationMs: 0, output: this._broken };
    const id = ++this._seq;
    this._captured = '';
    // The echoed line shows `%s` and `$?`, so only the finished command's own output matches the pattern.
    const done = new RegExp(`__labtest_done_${id}_rc=(\\d+)__`);
    this._session.input(`${command}; printf '\\n__labtest_done_%s_rc=%s__\\n' ${id} "$?"\r`);
    const finished = await this._waitFor(done, timeoutMs, signal);
    const durationMs = Date.now() - started;
    const text = this._captured;
    if (finished) {
      const match = done.exec(text)!;
      return { exitCode: Number(match[1]), timedOut: false, durationMs, output: outputOf(text.slice(0, match.index)) };
    }
    const output = outputOf(text);
    this._session.input('\x03');
    if (!(await this._sync(10_000))) {
      this._session.input('\x03');
      if (!(await this._sync(10_000))) this._broken = `the learner's shell stopped answering after a command timed out:\n${output}`;
    }
    return { timedOut: true, durationMs, output };
  }

  dispose(): void {
    this._detach?.dispose();
    this._detach = undefined;
    this._session.dispose();
  }

  /** Prints a marker and waits for it: the shell is at its prompt and reading commands. */
  private async _sync(timeoutMs: number): Promise<boolean> {
    const id = ++this._seq;
    this._captured = '';
    this._session.input(`printf '__labtest_sync_%s__\\n' ${id}\r`);
    return this._waitFor(new RegExp(`__labtest_sync_${id}__`), timeoutMs);
  }

  private _onOutput(frame: Buffer): void {
    this._captured = (this._captured + frame.toString('utf8')).slice(-MAX_CAPTURE);
    // Acknowledge at once, as a fast browser would, so flow control never pauses the shell.
    this._session.ack(this._sink, frame.length);
    for (const w of this._waiters.splice(0)) w();
  }

  private async _waitFor(pattern: RegExp, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this._captured)) {
      const left = deadline - Date.now();
      if (left <= 0 || this._session.exited || signal?.aborted) return pattern.test(this._captured);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 500));
        this._waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return true;
  }
}

/** A command's output without the echoed command line (the first line). */
function outputOf(terminal: string): string {
  const text = plainText(terminal);
  const firstNewline = text.indexOf('\n');
  return (firstNewline < 0 ? '' : text.slice(firstNewline + 1)).slice(-20_000);
}
