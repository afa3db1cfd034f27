import { Terminal, type ITerminalOptions } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import { WebLinksAddon } from '@xterm/addon-web-links';
import { Unicode11Addon } from '@xterm/addon-unicode11';
import { WebglAddon } from '@xterm/addon-webgl';
import '@xterm/xterm/css/xterm.css';

export const SCREEN_READER_KEY = 'labrunner.screenReader';

/**
 * An xterm.js terminal as every view in the app has it: the same font, theme and addons (fit, links,
 * Unicode 11 widths, WebGL with a DOM fallback), and the screen-reader setting the learner chose.
 */
export function createXterm(container: HTMLElement, options: ITerminalOptions = {}): { term: Terminal; fit: FitAddon } {
  const term = new Terminal({
    cursorBlink: true,
    fontFamily: 'ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace',
    fontSize: 14,
    scrollback: 5000,
    allowProposedApi: true,
    screenReaderMode: localStorage.getItem(SCREEN_READER_KEY) === '1',
    theme: { background: '#1e1e2e', foreground: '#e6e6e6' },
    ...options,
  });
  const fit = new FitAddon();
  term.loadAddon(fit);
  term.loadAddon(new WebLinksAddon());
  term.loadAddon(new Unicode11Addon());
  term.unicode.activeVersion = '11';
  term.open(container);
  loadWebgl(term);
  return { term, fit };
}

function loadWebgl(term: Terminal): void {
  try {
    const webgl = new WebglAddon();
    // Browsers cap WebGL contexts; when one is lost, fall back to the DOM renderer instead of going blank.
    webgl.onContextLoss(() => webgl.dispose());
    term.loadAddon(webgl);
  } catch {
    /* no WebGL here: xterm's DOM renderer is used */
  }
}
