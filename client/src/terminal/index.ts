/** Terminals in the browser: the learner's own shell, and the pieces other views (the instructor's shadow view) share with it. */
export { TerminalView, type TerminalViewOptions } from './terminal-view.ts';
export { TerminalStream, type ConnectionState, type ServerMessage, type TerminalStreamOptions } from './terminal-stream.ts';
export { createXterm, SCREEN_READER_KEY } from './xterm-setup.ts';
