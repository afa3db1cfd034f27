import xtermHeadless from '@xterm/headless';
import type { Terminal as HeadlessTerminal } from '@xterm/headless';
import { SerializeAddon } from '@xterm/addon-serialize';
import type { IDisposable } from '../core/lifecycle.ts';

/** A copy of a terminal's screen and scrollback kept on the server, replayed when a browser reattaches. */
export interface IScreenMirror extends IDisposable {
  write(data: Uint8Array): void;
  resize(cols: number, rows: number): void;
  /** The screen as escape sequences, after everything written so far has been parsed. */
  snapshot(): Promise<string>;
}

/**
 * Mirrors the screen with xterm.js' own parser (@xterm/headless + the serialize addon), as VS Code does,
 * so a replay restores colours, the alternate screen and the cursor, not just the last bytes.
 */
export class HeadlessScreenMirror implements IScreenMirror {
  private readonly _term: HeadlessTerminal;
  private readonly _serializer: SerializeAddon;
  private _disposed = false;

  constructor(cols: number, rows: number, private readonly _scrollback = 1000) {
    this._term = new xtermHeadless.Terminal({ cols, rows, scrollback: _scrollback, allowProposedApi: true });
    this._serializer = new SerializeAddon();
    this._term.loadAddon(this._serializer);
  }

  write(data: Uint8Array): void {
    if (!this._disposed) this._term.write(data);
  }

  resize(cols: number, rows: number): void {
    if (!this._disposed) this._term.resize(cols, rows);
  }

  snapshot(): Promise<string> {
    return new Promise((resolve) => {
      if (this._disposed) return resolve('');
      this._term.write('', () => resolve(this._disposed ? '' : this._serializer.serialize({ scrollback: this._scrollback })));
    });
  }

  dispose(): void {
    if (this._disposed) return;
    this._disposed = true;
    this._term.dispose();
  }
}
