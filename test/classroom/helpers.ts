import { request } from 'node:http';
import path from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { PROJECT_ROOT } from '../../cli/paths.ts';
import type { Answer, ClassroomCreatedView, ClientToServerEvents, ServerToClientEvents } from '../../server/core/protocol.ts';

/** Labs graded by `file` checks only, so classroom tests need no sandbox. */
export const CLASS_LABS = path.join(PROJECT_ROOT, 'test', 'classroom', 'fixtures', 'labs');

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json<T = unknown>(): T;
  /** `name=value` of the session cookie the answer set, if any. */
  sessionCookie?: string;
}

/** A raw HTTP request to the server (no fetch: it must send exactly these headers, Origin included or not). */
export function http(
  baseUrl: string,
  method: string,
  urlPath: string,
  options: { cookie?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<HttpAnswer> {
  const url = new URL(baseUrl);
  const body = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  const headers: Record<string, string> = { host: url.host };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (options.cookie) headers.cookie = options.cookie;
  Object.assign(headers, options.headers);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: urlPath, method, headers }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => {
        const setCookie = res.headers['set-cookie'] ?? [];
        const session = setCookie.find((c) => c.startsWith('labrunner_session=') && !c.startsWith('labrunner_session=;'));
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: text,
          json: <T>() => JSON.parse(text) as T,
          ...(session ? { sessionCookie: session.split(';')[0]! } : {}),
        });
      });
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** The owner (loopback, local mode) creates a classroom. */
export async function createClassroom(baseUrl: string, body: Record<string, unknown>): Promise<ClassroomCreatedView> {
  const res = await http(baseUrl, 'POST', '/api/classrooms', { body });
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${res.body}`);
  return res.json<ClassroomCreatedView>();
}

/** A student joins; returns their cookie. */
export async function join(baseUrl: string, code: string, displayName: string, rosterId?: string): Promise<string> {
  const res = await http(baseUrl, 'POST', '/api/join', { body: { code, displayName, ...(rosterId ? { rosterId } : {}) } });
  if (res.status !== 200 || !res.sessionCookie) throw new Error(`join failed: ${res.status} ${res.body}`);
  return res.sessionCookie;
}

/** Follows the instructor link; returns the instructor's cookie. */
export async function instructorCookie(baseUrl: string, instructorUrl: string): Promise<string> {
  const u = new URL(instructorUrl);
  const res = await http(baseUrl, 'GET', u.pathname + u.search);
  if (res.status !== 303 || !res.sessionCookie) throw new Error(`instructor link failed: ${res.status} ${res.body}`);
  return res.sessionCookie;
}

export type ClassSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A socket.io client with a cookie (as a browser of that session), recording every event it receives. */
export class ClassClient {
  readonly events: Array<{ event: string; args: unknown[] }> = [];
  disconnected = false;

  private constructor(readonly socket: ClassSocket) {
    socket.onAny((event: string, ...args: unknown[]) => this.events.push({ event, args }));
    socket.on('disconnect', () => (this.disconnected = true));
  }

  static async connect(baseUrl: string, options: { cookie?: string; learnerId?: string } = {}): Promise<ClassClient> {
    const socket = io(baseUrl, {
      auth: options.learnerId ? { learnerId: options.learnerId } : {},
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      extraHeaders: options.cookie ? { cookie: options.cookie } : {},
    }) as ClassSocket;
    const client = new ClassClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    return client;
  }

  /** Emits a request event and waits for its answer. */
  ask<T>(event: keyof ClientToServerEvents, payload: unknown): Promise<Answer<T>> {
    return new Promise((resolve) => (this.socket as unknown as { emit(e: string, p: unknown, r: (a: Answer<T>) => void): void }).emit(event, payload, resolve));
  }

  /** Waits for an event matching `where`, received already or later. */
  async waitFor<T = unknown>(event: string, where: (payload: T) => boolean = () => true, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.events.find((e) => e.event === event && where(e.args[0] as T));
      if (hit) return hit.args[0] as T;
      if (Date.now() > deadline) throw new Error(`no '${event}' within ${timeoutMs} ms; got: ${this.events.map((e) => e.event).join(', ')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async waitForDisconnect(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.disconnected) {
      if (Date.now() > deadline) throw new Error('still connected');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  close(): void {
    this.socket.close();
  }
}

export function valueOf<T>(answer: Answer<T>): T {
  if (!answer.ok) throw new Error(`${answer.error.code}: ${answer.error.message}`);
  return answer.value;
}
