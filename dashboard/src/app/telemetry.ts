/**
 * Wires the adapters (REST client, live socket) to the features' pure reducers.
 *
 * Snapshot first, then events (Zulip-style): the fleet comes from `GET /devices`, each
 * shown device's last minutes from its history, and everything after that from the
 * live socket. A device's history is requested once the server confirms its
 * subscription, so frames that arrive meanwhile are queued by the live reducer and
 * joined to the history without a hole or a duplicate.
 */
import { type DeviceEvent, type Devices, reduceDevices } from '@/features/devices';
import { reduceStreams, type StreamEvent, type StreamOptions, type Streams } from '@/features/live';
import { type ApiClient, type DeviceInfo } from '@/lib/api';
import { backoffDelay, RECONNECT_BACKOFF } from '@/lib/backoff';
import { type BatchedStore, createBatchedStore, type FrameScheduler } from '@/lib/batched-store';
import { ENVIRONMENT_CHANNELS, MAX_SUBSCRIPTIONS } from '@/lib/contract';
import type { DecodeError } from '@/lib/decode';
import { type ConnectionState, LiveSocket, type SocketLike } from '@/lib/live-socket';
import type { ServerMessage } from '@/lib/protocol';
import type { ReadingRow } from '@/lib/reading';

/** Everything the UI renders. */
export interface TelemetryState {
  readonly connection: ConnectionState;
  /** Whether the fleet snapshot has arrived. */
  readonly fleetLoaded: boolean;
  readonly devices: Devices;
  readonly streams: Streams;
  /** The latest thing that went wrong, in words, or null. */
  readonly problem: string | null;
  /** Server messages dropped because they broke the protocol. */
  readonly rejected: number;
}

/** Collaborators and limits of {@link Telemetry}. */
export interface TelemetryOptions {
  readonly api: ApiClient;
  readonly liveUrl: string;
  readonly schedule: FrameScheduler;
  readonly now: () => number;
  readonly random?: () => number;
  readonly createSocket?: (url: string) => SocketLike;
  /** How much history a chart starts with, in ms. */
  readonly historyMs?: number;
  readonly streams?: StreamOptions;
}

/** Ten minutes of history on first paint. */
export const HISTORY_MS = 10 * 60 * 1000;

/** Three environment series per device, ten minutes at up to 10 Hz each. */
export const STREAM_OPTIONS: StreamOptions = {
  channels: ENVIRONMENT_CHANNELS.map((c) => c.name),
  capacity: 6000,
  maxQueuedFrames: 500,
};

const MAX_HISTORY_PAGES = 5;

function initialState(): TelemetryState {
  return { connection: 'connecting', fleetLoaded: false, devices: {}, streams: {}, problem: null, rejected: 0 };
}

/** The dashboard's data: start it, tell it which devices are on screen, read its store. */
export class Telemetry {
  readonly store: BatchedStore<TelemetryState>;
  private readonly options: TelemetryOptions;
  private readonly streamOptions: StreamOptions;
  private readonly socket: LiveSocket;
  private readonly random: () => number;
  private abort = new AbortController();
  private retry: ReturnType<typeof setTimeout> | null = null;
  private shown = new Set<string>();
  private confirmed = new Set<string>();
  private requested = new Set<string>();

  constructor(options: TelemetryOptions) {
    this.options = options;
    this.streamOptions = options.streams ?? STREAM_OPTIONS;
    this.random = options.random ?? Math.random;
    this.store = createBatchedStore(initialState(), options.schedule);
    this.socket = new LiveSocket({
      url: options.liveUrl,
      random: this.random,
      ...(options.createSocket === undefined ? {} : { createSocket: options.createSocket }),
      onMessage: (message) => {
        this.onMessage(message);
      },
      onState: (connection) => {
        this.onConnection(connection);
      },
      onRejected: (error) => {
        this.onRejected(error);
      },
    });
  }

  /** Load the fleet and open the live socket. */
  start(): void {
    this.abort = new AbortController();
    this.socket.start();
    void this.loadFleet(0);
  }

  /** Close the socket and cancel requests; {@link start} may be called again. */
  stop(): void {
    this.abort.abort();
    this.socket.stop();
    if (this.retry !== null) {
      clearTimeout(this.retry);
      this.retry = null;
    }
    this.confirmed.clear();
    this.requested.clear();
    this.store.update(() => initialState());
  }

  /** The devices whose charts are on screen; their history is loaded once. */
  show(devices: Iterable<string>): void {
    this.shown = new Set(devices);
    this.loadPendingHistory();
  }

  private devices(event: DeviceEvent): void {
    this.store.update((s) => ({ ...s, devices: reduceDevices(s.devices, event) }));
  }

  private streams(event: StreamEvent): void {
    this.store.update((s) => ({ ...s, streams: reduceStreams(s.streams, event, this.streamOptions) }));
  }

  private problem(problem: string): void {
    this.store.update((s) => ({ ...s, problem }));
  }

  private async loadFleet(attempt: number): Promise<void> {
    const { signal } = this.abort;
    let devices: DeviceInfo[];
    try {
      devices = await this.options.api.listDevices(signal);
    } catch (error) {
      if (signal.aborted) {
        return;
      }
      this.problem(`could not load devices (${describe(error)}); retrying`);
      const delay = backoffDelay(attempt, RECONNECT_BACKOFF, this.random());
      this.retry = setTimeout(() => {
        this.retry = null;
        void this.loadFleet(attempt + 1);
      }, delay);
      return;
    }
    this.devices({ type: 'snapshot', devices });
    this.store.update((s) => ({ ...s, fleetLoaded: true, problem: null }));
    this.subscribeAll();
  }

  private subscribeAll(): void {
    const ids = Object.keys(this.store.getState().devices).sort().slice(0, MAX_SUBSCRIPTIONS);
    this.socket.setSubscriptions(ids);
  }

  private onConnection(connection: ConnectionState): void {
    if (connection !== 'live') {
      this.confirmed.clear();
    }
    this.store.update((s) => (s.connection === connection ? s : { ...s, connection }));
    // While the server is unreachable there is no subscription to wait for.
    this.loadPendingHistory();
  }

  private onRejected(error: DecodeError): void {
    this.store.update((s) => ({ ...s, rejected: s.rejected + 1, problem: `dropped a message: ${error.message}` }));
  }

  private onMessage(message: ServerMessage): void {
    switch (message.type) {
      case 'hello':
        return;
      case 'subscribed':
        this.confirmed = new Set(message.devices);
        this.loadPendingHistory();
        return;
      case 'frame':
        this.devices({ type: 'frame', frame: message });
        this.streams({ type: 'frame', frame: message });
        return;
      case 'status': {
        const known = message.device in this.store.getState().devices;
        this.devices({ type: 'status', status: message });
        if (!known) {
          this.subscribeAll();
        }
        return;
      }
      case 'error':
        this.problem(`server: ${message.code}: ${message.message}`);
        return;
    }
  }

  private loadPendingHistory(): void {
    const unreachable = this.store.getState().connection === 'reconnecting';
    for (const device of this.shown) {
      if (!this.requested.has(device) && (unreachable || this.confirmed.has(device))) {
        this.requested.add(device);
        void this.loadHistory(device);
      }
    }
  }

  private async loadHistory(device: string): Promise<void> {
    const { signal } = this.abort;
    const until = this.options.now();
    let since = until - (this.options.historyMs ?? HISTORY_MS);
    const limit = this.streamOptions.capacity;
    const readings: ReadingRow[] = [];
    try {
      for (let page = 0; page < MAX_HISTORY_PAGES; page += 1) {
        const result = await this.options.api.listReadings(device, { since, until, limit }, signal);
        readings.push(...result.readings);
        const last = result.readings[result.readings.length - 1];
        if (!result.truncated || last === undefined || readings.length >= limit) {
          break;
        }
        since = last.ts;
      }
    } catch (error) {
      if (signal.aborted) {
        return;
      }
      this.problem(`could not load the history of ${device} (${describe(error)})`);
    }
    // Even without history, the queued frames must flow.
    this.streams({ type: 'history', device, readings: readings.slice(-limit) });
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
