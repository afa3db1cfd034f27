import { readdirSync, readFileSync } from 'node:fs';
import { io, type Socket } from 'socket.io-client';
import { WebSocket } from 'ws';
import {
  FLOW,
  TERMINAL_WS_PATH,
  type Answer,
  type ClientToServerEvents,
  type ServerToClientEvents,
  type SessionInfo,
  type TerminalServerMessage,
} from '../../server/core/protocol.ts';

export type ClassSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** The `labrunner_session` cookie from a response, as a `Cookie` header value. */
export function sessionCookie(res: Response): string {
  for (const c of res.headers.getSetCookie()) {
    const pair = c.split(';')[0]!;
    if (pair.startsWith('labrunner_session=')) return pair;
  }
  throw new Error(`no labrunner_session cookie (HTTP ${res.status})`);
}

/** A socket.io connection as the browser makes it: the session cookie and the page's own origin. */
export async function connectSocket(url: string, cookie: string): Promise<{ socket: ClassSocket; session: SessionInfo }> {
  const socket = io(url, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    extraHeaders: { cookie, origin: url },
  }) as ClassSocket;
  // The server sends `session` as soon as it accepts the connection: listen before it can arrive.
  const session = new Promise<SessionInfo>((resolve) => socket.once('session', resolve));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return { socket, session: await session };
}

export function ask<T>(send: (reply: (answer: Answer<T>) => void) => void): Promise<T> {
  return new Promise((resolve, reject) =>
    send((answer) => (answer.ok ? resolve(answer.value) : reject(new Error(`${answer.error.code}: ${answer.error.message}`)))),
  );
}

/**
 * A student's terminal as the browser's would be, reduced to what the benchmark times: output is
 * acknowledged at once (a browser that keeps up), and the arrival time of the first frame after a keystroke
 * is its echo.
 */
export class StudentTerminal {
  readonly messages: TerminalServerMessage[] = [];
  private _tail = '';
  private _unacked = 0;
  private _onFrame: Array<(at: number) => void> = [];

  private constructor(private readonly _ws: WebSocket) {
    _ws.on('message', (data: Buffer, isBinary: boolean) => {
      const at = performance.now();
      if (!isBinary) {
        this.messages.push(JSON.parse(data.toString('utf8')) as TerminalServerMessage);
      } else {
        this._tail = (this._tail + data.toString('utf8')).slice(-4096);
        this._unacked += data.length;
        if (this._unacked >= FLOW.ACK_EVERY) {
          _ws.send(JSON.stringify({ type: 'ack', bytes: this._unacked }));
          this._unacked = 0;
        }
      }
      for (const f of this._onFrame.splice(0)) f(at);
    });
  }

  static connect(url: string, cookie: string, learner: string, lab: string): Promise<StudentTerminal> {
    const q = new URLSearchParams({ learner, lab, cols: '120', rows: '40' });
    const ws = new WebSocket(url.replace(/^http/, 'ws') + `${TERMINAL_WS_PATH}?${q}`, { headers: { cookie, origin: url } });
    const terminal = new StudentTerminal(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(terminal));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`terminal refused: ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  get tail(): string {
    return this._tail;
  }

  /** Sends one keystroke and resolves with the milliseconds until the next output frame (its echo). */
  keystroke(key: string, timeoutMs = 10_000): Promise<number> {
    const t0 = performance.now();
    const echoed = this._nextFrame(timeoutMs).then((at) => at - t0);
    this.type(key);
    return echoed;
  }

  type(data: string): void {
    this._ws.send(Buffer.from(data, 'utf8'), { binary: true });
  }

  /** Waits until the output ends with `pattern` (or contains it, for a non-anchored pattern). */
  async waitFor(pattern: RegExp, timeoutMs = 30_000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (!pattern.test(this._tail)) {
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`timed out waiting for ${pattern}; output: ${JSON.stringify(this._tail.slice(-300))}`);
      await this._nextFrame(left).catch(() => undefined);
    }
  }

  async waitForMessage(type: TerminalServerMessage['type'], timeoutMs = 30_000): Promise<TerminalServerMessage> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find((m) => m.type === type);
      if (found) return found;
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`no '${type}' message within ${timeoutMs} ms`);
      await this._nextFrame(left).catch(() => undefined);
    }
  }

  clear(): void {
    this._tail = '';
  }

  close(): void {
    this._ws.close();
  }

  private _nextFrame(timeoutMs: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this._onFrame = this._onFrame.filter((f) => f !== done);
        reject(new Error('no output'));
      }, timeoutMs);
      const done = (at: number) => {
        clearTimeout(timer);
        resolve(at);
      };
      this._onFrame.push(done);
    });
  }
}

/** Resident and proportional memory of a process and of its whole tree (children, grandchildren: shells, the sandbox). */
export interface TreeMemory {
  /** The server process alone (VmRSS). */
  serverRss: number;
  /** Every process in the tree, VmRSS summed (shared pages counted once per process: an upper bound). */
  treeRss: number;
  /** Every process in the tree, Pss summed (shared pages split between their users), when readable. */
  treePss: number;
  processes: number;
  /** Of which bash shells. */
  shells: number;
}

export function treeMemory(rootPid: number): TreeMemory {
  const children = new Map<number, number[]>();
  const names = new Map<number, string>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      names.set(Number(entry), stat.slice(stat.indexOf('(') + 1, close));
      const ppid = Number(stat.slice(close + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      /* the process ended while we looked */
    }
  }
  const tree: number[] = [];
  const stack = [rootPid];
  while (stack.length) {
    const pid = stack.pop()!;
    tree.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  let treeRss = 0;
  let treePss = 0;
  let serverRss = 0;
  for (const pid of tree) {
    const rss = kbField(`/proc/${pid}/status`, 'VmRSS');
    if (pid === rootPid) serverRss = rss;
    treeRss += rss;
    treePss += kbField(`/proc/${pid}/smaps_rollup`, 'Pss');
  }
  return { serverRss, treeRss, treePss, processes: tree.length, shells: tree.filter((p) => names.get(p) === 'bash').length };
}

function kbField(file: string, field: string): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(file, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}
