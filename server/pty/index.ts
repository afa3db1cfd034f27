/** Shells: real bash under node-pty, one per learner and lab, with replay and flow control. */
export { PtyHost, type PtyHostOptions, type SessionKey, type CommandEvent } from './pty-host.ts';
export { PtySession, SHELL_NICENESS, type ShellSpec, type ITerminalSink, type IObserverSink, type PtyCommand, type PtyExit } from './pty-session.ts';
export { OutputBatcher, type BatcherOptions } from './output-batcher.ts';
export { ScreenMirrorThread } from './screen-mirror-thread.ts';
export type { IScreenMirror } from './screen-mirror.ts';
