import type { Event } from '../core/event.ts';
import type { IDisposable } from '../core/lifecycle.ts';

/**
 * A copy of a terminal's screen and scrollback kept on the server, replayed when a browser reattaches.
 * Implemented by {@link ScreenMirrorThread} with xterm.js' own parser (@xterm/headless + the serialize addon),
 * as VS Code does, so a replay restores colours, the alternate screen and the cursor, not just the last bytes.
 */
export interface IScreenMirror extends IDisposable {
  write(data: Uint8Array): void;
  resize(cols: number, rows: number): void;
  /** The screen as escape sequences, after everything written so far has been parsed. */
  snapshot(): Promise<string>;
  /** True while parsing lags so far behind that the shell should wait, as for a slow client. */
  readonly backlogged: boolean;
  /** Fires when a backlogged mirror has caught up. */
  readonly onCaughtUp: Event<void>;
}
