/** A scriptable stand-in for the browser's WebSocket, for the live socket's tests. */
import { PROTOCOL } from '@/lib/contract';
import type { SocketLike } from '@/lib/live-socket';

/** One fake connection: the test opens it, feeds it messages and closes it. */
export class FakeSocket implements SocketLike {
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  readonly sent: unknown[] = [];
  closedByClient = false;
  readonly url: string;

  constructor(url: string) {
    this.url = url;
  }

  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }

  close(): void {
    this.closedByClient = true;
  }

  /** The server accepted the connection and said hello. */
  accept(): void {
    this.onopen?.(new Event('open'));
    this.receive({ type: 'hello', protocol: PROTOCOL });
  }

  /** The server sent `message` (an object is serialized; a string goes as is). */
  receive(message: unknown): void {
    const data = typeof message === 'string' ? message : JSON.stringify(message);
    this.onmessage?.(new MessageEvent('message', { data }));
  }

  /** The connection dropped. */
  drop(): void {
    // Node has no CloseEvent: a plain event without a code, as an abnormal close.
    this.onclose?.(new Event('close') as CloseEvent);
  }

  /** The server closed the connection with `code` (e.g. 4401) and `reason`. */
  closeWith(code: number, reason: string): void {
    this.onclose?.(Object.assign(new Event('close'), { code, reason, wasClean: true }));
  }
}

/** Records every socket a client opens. */
export function socketFactory() {
  const sockets: FakeSocket[] = [];
  return {
    sockets,
    create: (url: string): FakeSocket => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket;
    },
    /** The most recently opened socket. */
    get last(): FakeSocket {
      const socket = sockets[sockets.length - 1];
      if (socket === undefined) {
        throw new Error('no socket was opened');
      }
      return socket;
    },
  };
}
