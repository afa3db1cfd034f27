import { io, type Socket } from 'socket.io-client';
import type { Answer, ClientToServerEvents, LabProgressView, ServerToClientEvents } from '../../server/core/protocol.ts';

/** The browser's socket.io channel, for tests: the same events the lab page uses. */
export class EventsClient {
  readonly updates: LabProgressView[] = [];

  private constructor(readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>) {
    socket.on('lab:progress', (p) => this.updates.push(p));
  }

  static async connect(url: string, learnerId: string, extraHeaders: Record<string, string> = {}): Promise<EventsClient> {
    const socket = io(url, { auth: { learnerId }, transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders }) as Socket<
      ServerToClientEvents,
      ClientToServerEvents
    >;
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    return new EventsClient(socket);
  }

  open(labId: string): Promise<Answer<LabProgressView>> {
    return new Promise((resolve) => this.socket.emit('lab:open', { labId }, resolve));
  }

  check(labId: string, stepId: string): Promise<Answer<LabProgressView>> {
    return new Promise((resolve) => this.socket.emit('check:run', { labId, stepId }, resolve));
  }

  close(): void {
    this.socket.close();
  }
}

/** The value of an answer, or a thrown error with the server's message. */
export function valueOf<T>(answer: Answer<T>): T {
  if (!answer.ok) throw new Error(`${answer.error.code}: ${answer.error.message}`);
  return answer.value;
}
