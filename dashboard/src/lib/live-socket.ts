/**
 * The live WebSocket adapter: connects, decodes, reconnects and re-subscribes.
 *
 * One socket serves every feature through the narrow {@link LiveFeed} interface: each
 * listens to the events it cares about, and each names the devices it wants streamed
 * (as an owner); the socket streams the union. After every (re)connect it subscribes to
 * the whole union again; between reconnects it sends only the changes. Reconnects wait a
 * capped exponential delay with jitter ({@link backoffDelay}); the attempt counter
 * resets once a server has said `hello`.
 *
 * A server that refuses the connection (close code 4401: not signed in, 4403: the role may
 * not read) is not retried: the socket stops, says `refused`, and waits for {@link start}
 * (after a new login), so an expired session never turns into a reconnect loop.
 */
import { backoffDelay, type BackoffPolicy, RECONNECT_BACKOFF } from './backoff';
import {
  type ClientMessage,
  DecodeError,
  decodeServerMessage,
  encodeClientMessage,
  PROTOCOL,
  type ServerMessage,
  WS_CLOSE_FORBIDDEN,
  WS_CLOSE_NOT_AUTHENTICATED,
} from './contract';

/** What the connection indicator shows; `refused`: the server closed with 4401 or 4403 and no retry follows. */
export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'refused';

/** Why the server refused the connection: its close code, as a word, and the close reason it gave. */
export interface Refusal {
  /** 4401 (no, or no longer a, signed-in user) or 4403 (the role may not read). */
  readonly code: 'not_authenticated' | 'forbidden';
  /** The server's machine reason, e.g. `no_credentials` (free text: shown, never parsed). */
  readonly reason: string;
}

/** The part of the browser's `WebSocket` this adapter uses (tests pass a fake). */
export interface SocketLike {
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

/** What the socket tells its listeners, in the order it happens. */
export type LiveEvent =
  /** The connection state changed. */
  | { readonly kind: 'state'; readonly state: ConnectionState }
  /** A decoded server message. */
  | { readonly kind: 'message'; readonly message: ServerMessage }
  /** A server message broke the protocol and was dropped. */
  | { readonly kind: 'rejected'; readonly error: DecodeError }
  /** The server refused the connection; the socket stopped (state `refused` follows). */
  | { readonly kind: 'refused'; readonly refusal: Refusal };

/** The part of the live connection a feature uses. */
export interface LiveFeed {
  /** Call `listener` with every event from now on; returns the unsubscribe. */
  listen(listener: (event: LiveEvent) => void): () => void;
  /**
   * Stream `devices` on behalf of `owner`, replacing what it wanted before; the socket
   * subscribes to the union of every owner's devices.
   */
  want(owner: string, devices: Iterable<string>): void;
}

/** Collaborators of a {@link LiveSocket}. */
export interface LiveSocketOptions {
  /** `ws://` or `wss://` URL of the live endpoint. */
  readonly url: string;
  /** Opens a socket; defaults to the browser's `WebSocket`. */
  readonly createSocket?: (url: string) => SocketLike;
  /** Source of jitter in [0, 1); defaults to `Math.random`. */
  readonly random?: () => number;
  /** Reconnect delays; defaults to {@link RECONNECT_BACKOFF}. */
  readonly policy?: BackoffPolicy;
}

// Keeps each client message well under the server's 16 KiB limit (ids are <= 64 chars).
const IDS_PER_MESSAGE = 100;
const NORMAL_CLOSURE = 1000;

/** One logical live connection that survives network drops and server restarts. */
export class LiveSocket implements LiveFeed {
  private readonly options: LiveSocketOptions;
  private readonly createSocket: (url: string) => SocketLike;
  private readonly random: () => number;
  private readonly policy: BackoffPolicy;
  private socket: SocketLike | null = null;
  private open = false;
  private running = false;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private wanted = new Set<string>();
  private readonly owners = new Map<string, ReadonlySet<string>>();
  private readonly listeners = new Set<(event: LiveEvent) => void>();

  constructor(options: LiveSocketOptions) {
    this.options = options;
    this.createSocket = options.createSocket ?? ((url) => new WebSocket(url));
    this.random = options.random ?? Math.random;
    this.policy = options.policy ?? RECONNECT_BACKOFF;
  }

  /** Connect, and keep reconnecting until {@link stop}. */
  start(): void {
    if (this.running) {
      return;
    }
    this.running = true;
    this.attempt = 0;
    this.emit({ kind: 'state', state: 'connecting' });
    this.connect();
  }

  /** Close the connection and cancel any pending reconnect. */
  stop(): void {
    this.running = false;
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const socket = this.socket;
    this.socket = null;
    this.open = false;
    if (socket !== null) {
      socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
      socket.close(NORMAL_CLOSURE, 'dashboard closed');
    }
  }

  listen(listener: (event: LiveEvent) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Replace `owner`'s devices; sends only the difference of the union while connected. */
  want(owner: string, devices: Iterable<string>): void {
    this.owners.set(owner, new Set(devices));
    const next = new Set<string>();
    for (const set of this.owners.values()) {
      for (const device of set) {
        next.add(device);
      }
    }
    const added = [...next].filter((d) => !this.wanted.has(d));
    const removed = [...this.wanted].filter((d) => !next.has(d));
    this.wanted = next;
    if (this.open) {
      this.sendAll('unsubscribe', removed);
      this.sendAll('subscribe', added);
    }
  }

  private connect(): void {
    this.timer = null;
    let socket: SocketLike;
    try {
      socket = this.createSocket(this.options.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      this.open = true;
      this.sendAll('subscribe', [...this.wanted]);
    };
    socket.onmessage = (event) => {
      this.receive(event.data);
    };
    socket.onclose = (event) => {
      this.socket = null;
      this.open = false;
      const refusal = refusalOf(event);
      if (refusal === null) {
        this.scheduleReconnect();
      } else {
        this.running = false;
        this.emit({ kind: 'refused', refusal });
        this.emit({ kind: 'state', state: 'refused' });
      }
    };
    socket.onerror = () => {
      // The browser reports no detail here and always follows with `close`.
    };
  }

  private receive(data: unknown): void {
    if (typeof data !== 'string') {
      this.emit({ kind: 'rejected', error: new DecodeError('wrong_type', 'binary messages are not part of the protocol') });
      return;
    }
    let message: ServerMessage;
    try {
      message = decodeServerMessage(data);
    } catch (error) {
      if (error instanceof DecodeError) {
        this.emit({ kind: 'rejected', error });
        return;
      }
      throw error;
    }
    if (message.type === 'hello') {
      if (message.protocol !== PROTOCOL) {
        this.emit({
          kind: 'rejected',
          error: new DecodeError('unexpected_kind', `server speaks protocol ${String(message.protocol)}`, 'protocol'),
        });
      }
      this.attempt = 0;
      this.emit({ kind: 'state', state: 'live' });
    }
    this.emit({ kind: 'message', message });
  }

  private emit(event: LiveEvent): void {
    for (const listener of [...this.listeners]) {
      // A listener that an earlier one removed (a feature stopped on this very event) hears nothing more.
      if (this.listeners.has(listener)) {
        listener(event);
      }
    }
  }

  private scheduleReconnect(): void {
    if (!this.running) {
      return;
    }
    this.emit({ kind: 'state', state: 'reconnecting' });
    const delay = backoffDelay(this.attempt, this.policy, this.random());
    this.attempt += 1;
    this.timer = setTimeout(() => {
      this.connect();
    }, delay);
  }

  private sendAll(type: ClientMessage['type'], devices: readonly string[]): void {
    const sorted = [...devices].sort();
    for (let i = 0; i < sorted.length; i += IDS_PER_MESSAGE) {
      this.socket?.send(encodeClientMessage({ type, devices: sorted.slice(i, i + IDS_PER_MESSAGE) }));
    }
  }
}

/** The refusal a close event carries, or null for any other close (a drop: reconnect). */
function refusalOf(event: CloseEvent): Refusal | null {
  // The fake sockets of the tests and some browsers' abnormal closes carry no code.
  const { code, reason } = event as Partial<CloseEvent>;
  if (code === WS_CLOSE_NOT_AUTHENTICATED) {
    return { code: 'not_authenticated', reason: reason ?? '' };
  }
  if (code === WS_CLOSE_FORBIDDEN) {
    return { code: 'forbidden', reason: reason ?? '' };
  }
  return null;
}
