/**
 * Wires the adapters (REST client, live socket, timers) to the features' pure reducers.
 *
 * Snapshot first, then events (Zulip-style): the fleet comes from `GET /devices` and
 * then `status`/`frame` messages; each chart's timeline starts from history and then
 * takes frames by sequence number (see `features/timeline` and `./timelines.ts`).
 * Everything lands in one batched store that publishes at most once per animation frame;
 * chart columns are built in that flush, for the timelines whose redraw limit allows it —
 * never once per message.
 */
import { type DeviceEvent, deviceList, type Devices, reduceDevices } from '@/features/devices';
import { DEFAULT_WINDOW, DEVICE_CHANNELS, type TimelineConfig } from '@/features/timeline';
import { type ApiClient, type DeviceInfo } from '@/lib/api';
import { backoffDelay, RECONNECT_BACKOFF } from '@/lib/backoff';
import { type BatchedStore, createBatchedStore, type FrameScheduler } from '@/lib/batched-store';
import { MAX_SUBSCRIPTIONS } from '@/lib/contract';
import type { DecodeError } from '@/lib/decode';
import { type ConnectionState, LiveSocket, type SocketLike } from '@/lib/live-socket';
import type { FrameMessage, ServerMessage } from '@/lib/protocol';

import type { Route } from './route';
import type { TimelineView } from './timeline-slot';
import {
  DEVICE_TIMELINE,
  type RedrawLimits,
  REDRAW_MS,
  SPARKLINE_TIMELINE,
  Timelines,
  type Wanted,
} from './timelines';

export { DEVICE_TIMELINE, MAX_REDRAW_MS, REDRAW_MS, SPARKLINE_TIMELINE } from './timelines';

/** Everything the UI renders. */
export interface TelemetryState {
  readonly connection: ConnectionState;
  readonly paused: boolean;
  /** The time the charts show as "now": frozen while paused. */
  readonly clock: number;
  /** Device timestamp to browser, smoothed over recent frames, ms. */
  readonly latencyMs: number | null;
  /** Whether the fleet snapshot has arrived. */
  readonly fleetLoaded: boolean;
  readonly devices: Devices;
  /** Timeline views by key: `spark:<device>` and `device:<device>`. */
  readonly timelines: Readonly<Record<string, TimelineView>>;
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
  readonly device?: TimelineConfig;
  readonly sparkline?: TimelineConfig;
  /** Period of the clock tick (relative times, sliding windows, retries), ms. */
  readonly tickMs?: number;
  /** Least time between two redraws (0: every animation frame). */
  readonly redrawMs?: RedrawLimits;
}

/** Sparklines drawn at most (each is a chart instance). */
export const MAX_SPARKLINES = 64;

function initialState(now: number): TelemetryState {
  return {
    connection: 'connecting',
    paused: false,
    clock: now,
    latencyMs: null,
    fleetLoaded: false,
    devices: {},
    timelines: {},
    problem: null,
    rejected: 0,
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The dashboard's data: start it, tell it what is on screen, read its store. */
export class Telemetry {
  readonly store: BatchedStore<TelemetryState>;
  private readonly options: TelemetryOptions;
  private readonly socket: LiveSocket;
  private readonly random: () => number;
  private readonly timelines: Timelines;
  /** The fleet as of the newest message; published to the store at most every `redrawMs.fleet`. */
  private fleet: Devices = {};
  private fleetUrgent = false;
  private fleetAt = -Infinity;
  private redraw: ReturnType<typeof setTimeout> | null = null;
  private route: Route = { page: 'fleet' };
  private abort = new AbortController();
  private retry: ReturnType<typeof setTimeout> | null = null;
  private ticker: ReturnType<typeof setInterval> | null = null;
  private wasDown = false;
  private resubscribePending = false;

  constructor(options: TelemetryOptions) {
    this.options = options;
    this.random = options.random ?? Math.random;
    this.store = createBatchedStore(initialState(options.now()), options.schedule, (state) => this.prepare(state));
    this.timelines = new Timelines({
      api: options.api,
      now: options.now,
      limits: this.limits,
      onChange: () => {
        this.store.update((s) => ({ ...s }));
      },
    });
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

  /** Load the fleet, open the live socket and start the clock. */
  start(): void {
    this.abort = new AbortController();
    this.socket.start();
    void this.loadFleet(0);
    this.ticker = setInterval(() => {
      this.tick();
    }, this.options.tickMs ?? 1000);
  }

  /** Close the socket, cancel requests and timers; {@link start} may be called again. */
  stop(): void {
    this.abort.abort();
    this.socket.stop();
    if (this.retry !== null) {
      clearTimeout(this.retry);
      this.retry = null;
    }
    if (this.ticker !== null) {
      clearInterval(this.ticker);
      this.ticker = null;
    }
    if (this.redraw !== null) {
      clearTimeout(this.redraw);
      this.redraw = null;
    }
    this.timelines.clear();
    this.fleet = {};
    this.fleetAt = -Infinity;
    this.wasDown = false;
    this.store.update(() => initialState(this.options.now()));
  }

  /** What is on screen: the fleet (sparklines) or one device (its window). */
  show(route: Route): void {
    this.route = route;
    this.syncTimelines();
  }

  /** Freeze the charts; data keeps arriving and waits. */
  pause(): void {
    this.setPaused(true);
  }

  /** Apply everything that arrived while paused and follow live data again. */
  resume(): void {
    this.setPaused(false);
  }

  /** The URL of a raw CSV export. */
  exportUrl(device: string, since: number, until: number): string {
    return this.options.api.exportUrl(device, { since, until, channels: DEVICE_CHANNELS }, 'csv');
  }

  private get limits(): RedrawLimits {
    return this.options.redrawMs ?? REDRAW_MS;
  }

  private setPaused(paused: boolean): void {
    if (this.store.getState().paused === paused) {
      return;
    }
    const at = this.options.now();
    this.timelines.broadcast({ type: paused ? 'pause' : 'resume', at });
    this.store.update((s) => ({ ...s, paused, clock: at }));
  }

  private tick(): void {
    const at = this.options.now();
    this.timelines.broadcast({ type: 'tick', at });
    this.store.update((s) => (s.paused ? s : { ...s, clock: at }));
  }

  /** Once per flush: publish the fleet (limited) and the timelines that may redraw. */
  private prepare(state: TelemetryState): TelemetryState {
    const now = this.options.now();
    const clock = state.paused ? state.clock : now;
    let later = Infinity;
    let devices = state.devices;
    if (devices !== this.fleet) {
      const wait = this.fleetAt + this.limits.fleet - now;
      if (wait <= 0 || this.fleetUrgent) {
        devices = this.fleet;
        this.fleetAt = now;
        this.fleetUrgent = false;
      } else {
        later = wait;
      }
    }
    let { timelines } = state;
    if (this.timelines.changed) {
      const drawn = this.timelines.views(state.timelines, now);
      timelines = drawn.views;
      later = Math.min(later, drawn.later);
    }
    this.redrawIn(later);
    if (clock === state.clock && devices === state.devices && timelines === state.timelines) {
      return state;
    }
    return { ...state, clock, devices, timelines };
  }

  /** Flush again after `ms` (what a redraw limit held back); nothing when `ms` is infinite. */
  private redrawIn(ms: number): void {
    if (Number.isFinite(ms) && this.redraw === null) {
      this.redraw = setTimeout(() => {
        this.redraw = null;
        this.store.update((s) => ({ ...s }));
      }, ms);
    }
  }

  private wanted(): Map<string, Wanted> {
    const out = new Map<string, Wanted>();
    if (this.route.page === 'device') {
      const { device, window } = this.route;
      out.set(`device:${device}`, { device, window, config: this.options.device ?? DEVICE_TIMELINE });
      return out;
    }
    for (const view of deviceList(this.fleet).slice(0, MAX_SPARKLINES)) {
      const config = this.options.sparkline ?? SPARKLINE_TIMELINE;
      out.set(`spark:${view.device}`, { device: view.device, window: DEFAULT_WINDOW, config });
    }
    return out;
  }

  private syncTimelines(): void {
    const wanted = this.wanted();
    this.timelines.sync(wanted, this.fleet, this.store.getState().paused);
    this.store.update((s) => {
      const kept = Object.entries(s.timelines).filter(([key]) => wanted.has(key));
      return kept.length === Object.keys(s.timelines).length ? s : { ...s, timelines: Object.fromEntries(kept) };
    });
  }

  private devices(event: DeviceEvent): void {
    const next = reduceDevices(this.fleet, event);
    if (next !== this.fleet) {
      this.fleet = next;
      // Presence changes show at once; values at most every `redrawMs.fleet`.
      this.fleetUrgent ||= event.type !== 'frame';
      this.store.update((s) => ({ ...s }));
    }
  }

  private problem(problem: string | null): void {
    this.store.update((s) => (s.problem === problem ? s : { ...s, problem }));
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
    this.store.update((s) => ({ ...s, fleetLoaded: true }));
    this.problem(null);
    this.subscribeAll();
    this.syncTimelines();
  }

  private subscribeAll(): void {
    const ids = Object.keys(this.fleet).sort().slice(0, MAX_SUBSCRIPTIONS);
    if (this.route.page === 'device' && !ids.includes(this.route.device)) {
      ids.push(this.route.device);
    }
    this.socket.setSubscriptions(ids);
  }

  private onConnection(connection: ConnectionState): void {
    if (connection === 'reconnecting') {
      this.wasDown = true;
    } else if (connection === 'live' && this.wasDown) {
      this.wasDown = false;
      this.resubscribePending = true;
      // Presence changed while we were away are only in the snapshot.
      void this.loadFleet(0);
    }
    this.store.update((s) => (s.connection === connection ? s : { ...s, connection }));
  }

  private onRejected(error: DecodeError): void {
    this.store.update((s) => ({ ...s, rejected: s.rejected + 1, problem: `dropped a message: ${error.message}` }));
  }

  private onMessage(message: ServerMessage): void {
    switch (message.type) {
      case 'hello':
        return;
      case 'subscribed':
        if (this.resubscribePending) {
          this.resubscribePending = false;
          this.timelines.broadcast({ type: 'resubscribed', at: this.options.now() });
        }
        return;
      case 'frame':
        this.onFrame(message);
        return;
      case 'status': {
        const known = message.device in this.fleet;
        this.devices({ type: 'status', status: message });
        if (!known) {
          this.subscribeAll();
          this.syncTimelines();
        }
        return;
      }
      case 'error':
        this.problem(`server: ${message.code}: ${message.message}`);
        return;
    }
  }

  private onFrame(frame: FrameMessage): void {
    const at = this.options.now();
    this.devices({ type: 'frame', frame });
    const last = frame.readings[frame.readings.length - 1];
    if (last !== undefined) {
      const sample = at - last.ts;
      this.store.update((s) => ({
        ...s,
        latencyMs: s.latencyMs === null ? sample : s.latencyMs + (sample - s.latencyMs) / 16,
      }));
    }
    this.timelines.frame(frame, at);
  }
}
