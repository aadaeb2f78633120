/**
 * The fleet feature's runtime: it turns the live socket's events and the snapshot
 * request's outcome into fleet events, steps the pure reducer (`model/fleet.ts`),
 * carries out its effects (load the snapshot, retry with backoff, stream devices) and
 * publishes the fleet's one store.
 *
 * Publication runs at most once per animation frame. The device list's values (last
 * seen, latest readings) change on screen at most every `redrawMs`; presence changes
 * and everything else show at the next frame.
 */
import type { ApiClient } from '@/lib/api';
import { RetryTimer } from '@/lib/backoff';
import type { LiveEvent, LiveFeed } from '@/lib/live-socket';
import { createStore, FrameBatch, type FrameScheduler, type Store, type StoreWriter } from '@/lib/store';

import { type FleetEffect, type FleetEvent, type FleetState, INITIAL_FLEET, startFleet, stepFleet } from '../model/fleet';

/**
 * Least time between two redraws of the device list's values, ms: they change at most 4
 * times a second (faster is unreadable); presence changes show at once.
 */
export const FLEET_REDRAW_MS = 250;

/** The name under which the fleet asks the socket for devices. */
const OWNER = 'fleet';

/** Collaborators and limits of {@link FleetRuntime}. */
export interface FleetRuntimeOptions {
  readonly api: Pick<ApiClient, 'listDevices'>;
  readonly feed: LiveFeed;
  readonly schedule: FrameScheduler;
  readonly now: () => number;
  /** Source of jitter in [0, 1) for the snapshot's retries; defaults to `Math.random`. */
  readonly random?: () => number;
  /** Least time between two redraws of the values (0: every animation frame). */
  readonly redrawMs?: number;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The fleet's data: start it, read its store. */
export class FleetRuntime {
  private readonly options: FleetRuntimeOptions;
  private readonly writer: StoreWriter<FleetState> = createStore(INITIAL_FLEET);
  private readonly frames: FrameBatch;
  /** The state as of the newest event; the store gets it in the next frame, the devices within their limit. */
  private state: FleetState = INITIAL_FLEET;
  /** A presence change is waiting: the devices are drawn at the next frame whatever the limit. */
  private urgent = false;
  private devicesDrawnAt = -Infinity;
  private abort = new AbortController();
  private unlisten: (() => void) | null = null;
  private readonly retry: RetryTimer;
  private later: ReturnType<typeof setTimeout> | null = null;

  constructor(options: FleetRuntimeOptions) {
    this.options = options;
    this.retry = new RetryTimer(options.random ?? Math.random);
    this.frames = new FrameBatch(options.schedule, () => {
      this.draw();
    });
  }

  /** What the UI renders. */
  get store(): Store<FleetState> {
    return this.writer;
  }

  /** Listen to the socket and ask for the snapshot. */
  start(): void {
    if (this.unlisten !== null) {
      return;
    }
    this.abort = new AbortController();
    this.unlisten = this.options.feed.listen((event) => {
      const fleetEvent = fromLive(event, this.options.now);
      if (fleetEvent !== null) {
        this.dispatch(fleetEvent);
      }
    });
    this.run(startFleet());
  }

  /** Stop listening, cancel the request and timers, and start over from nothing. */
  stop(): void {
    this.unlisten?.();
    this.unlisten = null;
    this.abort.abort();
    this.retry.cancel();
    if (this.later !== null) {
      clearTimeout(this.later);
      this.later = null;
    }
    this.frames.cancel();
    this.options.feed.want(OWNER, []);
    this.state = INITIAL_FLEET;
    this.urgent = false;
    this.devicesDrawnAt = -Infinity;
    this.writer.publish(INITIAL_FLEET);
  }

  private dispatch(event: FleetEvent): void {
    const before = this.state.devices;
    const step = stepFleet(this.state, event);
    // Presence (the snapshot, a status) shows at once; a frame's values wait for the limit.
    const isFrame = event.type === 'message' && event.message.type === 'frame';
    this.urgent ||= step.state.devices !== before && !isFrame;
    this.run(step);
  }

  private run(step: { readonly state: FleetState; readonly effects: readonly FleetEffect[] }): void {
    const changed = step.state !== this.state;
    this.state = step.state;
    for (const effect of step.effects) {
      this.execute(effect);
    }
    if (changed) {
      this.frames.request();
    }
  }

  private execute(effect: FleetEffect): void {
    switch (effect.type) {
      case 'load':
        this.load(0);
        return;
      case 'retry':
        this.retry.schedule(effect.attempt, (next) => {
          this.load(next);
        });
        return;
      case 'stream':
        this.options.feed.want(OWNER, effect.devices);
        return;
    }
  }

  private load(attempt: number): void {
    const { signal } = this.abort;
    this.options.api.listDevices(signal).then(
      (devices) => {
        if (!signal.aborted) {
          this.dispatch({ type: 'loaded', devices });
        }
      },
      (error: unknown) => {
        if (!signal.aborted) {
          this.dispatch({ type: 'load-failed', attempt, error: describe(error) });
        }
      },
    );
  }

  /** Once per frame: publish the state, with the devices as of the last redraw the limit allows. */
  private draw(): void {
    const shown = this.writer.getSnapshot();
    const now = this.options.now();
    let { devices } = shown;
    if (this.state.devices !== devices) {
      const wait = this.devicesDrawnAt + (this.options.redrawMs ?? FLEET_REDRAW_MS) - now;
      if (wait <= 0 || this.urgent) {
        devices = this.state.devices;
        this.devicesDrawnAt = now;
        this.urgent = false;
      } else {
        this.later ??= setTimeout(() => {
          this.later = null;
          this.frames.request();
        }, wait);
      }
    }
    const next = devices === this.state.devices ? this.state : { ...this.state, devices };
    if (!sameFleet(next, shown)) {
      this.writer.publish(next);
    }
  }
}

function sameFleet(a: FleetState, b: FleetState): boolean {
  return (Object.keys(a) as (keyof FleetState)[]).every((key) => a[key] === b[key]);
}

/** The fleet's event of a socket event; null for a refusal (the session feature tells why). */
function fromLive(event: LiveEvent, now: () => number): FleetEvent | null {
  switch (event.kind) {
    case 'refused':
      return null;
    case 'state':
      return { type: 'connection', state: event.state };
    case 'rejected':
      return { type: 'rejected', error: event.error.message };
    case 'message':
      return { type: 'message', message: event.message, at: now() };
  }
}
