// @ts-check
// The screen mirrors of every shell, parsed in one worker thread (see screen-mirror-thread.ts for the protocol).
// Plain JavaScript so that it starts under every loader the server runs with: tsx, the esbuild bundle, Vitest.
import { parentPort, workerData } from 'node:worker_threads';
import xtermHeadless from '@xterm/headless';
import { SerializeAddon } from '@xterm/addon-serialize';

/** @type {Map<number, { term: import('@xterm/headless').Terminal, serializer: SerializeAddon, scrollback: number }>} */
const mirrors = new Map();
const port = /** @type {import('node:worker_threads').MessagePort} */ (parentPort);
/** Output arrives in this shared memory; a region is handed back (by its seq) once parsed. */
const ring = /** @type {SharedArrayBuffer} */ (workerData.ring);

port.on('message', (msg) => {
  const mirror = mirrors.get(msg.id);
  switch (msg.type) {
    case 'open': {
      const term = new xtermHeadless.Terminal({ cols: msg.cols, rows: msg.rows, scrollback: msg.scrollback, allowProposedApi: true });
      const serializer = new SerializeAddon();
      term.loadAddon(serializer);
      mirrors.set(msg.id, { term, serializer, scrollback: msg.scrollback });
      break;
    }
    case 'write': {
      const data = msg.seq === 0 ? msg.data : new Uint8Array(ring, msg.offset, msg.length);
      // Acknowledged once parsed (never earlier: the ring region must not be reused while xterm holds it),
      // so the server can also pause a shell whose mirror falls behind.
      const parsed = () => port.postMessage({ type: 'parsed', id: msg.id, seq: msg.seq, bytes: data.byteLength });
      if (mirror) mirror.term.write(data, parsed);
      else parsed();
      break;
    }
    case 'resize':
      mirror?.term.resize(msg.cols, msg.rows);
      break;
    case 'snapshot': {
      const reply = (/** @type {string} */ screen) => port.postMessage({ type: 'snapshot', request: msg.request, screen });
      if (!mirror) reply('');
      // An empty write calls back after everything written before it has been parsed.
      // The session may have closed its mirror meanwhile; a disposed terminal must not be serialized.
      else mirror.term.write('', () => reply(mirrors.get(msg.id) === mirror ? mirror.serializer.serialize({ scrollback: mirror.scrollback }) : ''));
      break;
    }
    case 'close':
      mirror?.term.dispose();
      mirrors.delete(msg.id);
      break;
  }
});
