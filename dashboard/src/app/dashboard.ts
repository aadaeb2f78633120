/**
 * The composition root: the REST client, the one live socket and the features'
 * runtimes, created together and started and stopped in order. Each feature listens to
 * the socket through its narrow `LiveFeed` interface; none knows another.
 *
 * The session comes first: the data features (fleet, timelines) and the socket run only
 * while someone is signed in, and stop as soon as the session ends (logout, a REST 401,
 * a socket closed with 4401), so a signed-out page makes no data requests and holds no
 * socket.
 */
import { FLEET_REDRAW_MS, FleetRuntime } from '@/features/devices';
import { createAuthApi, SessionRuntime } from '@/features/session';
import { TIMELINE_REDRAW_MS, type TimelineRedrawLimits, TimelineRuntime } from '@/features/timeline';
import { createApiClient } from '@/lib/api';
import type { Env } from '@/lib/env';
import { LiveSocket, type SocketLike } from '@/lib/live-socket';
import { type FrameScheduler, sharedFrames } from '@/lib/store';

/** Least time between two redraws, ms, per kind of view; 0 redraws at every animation frame. */
export interface RedrawLimits extends TimelineRedrawLimits {
  readonly fleet: number;
}

/** The redraw limits of the page (docs/dashboard.md, "Performance design"). */
export const REDRAW_MS: RedrawLimits = { ...TIMELINE_REDRAW_MS, fleet: FLEET_REDRAW_MS };

/** What the dashboard is built from; tests pass fakes for the network, the socket and the frames. */
export interface DashboardOptions {
  readonly env: Env;
  readonly fetch: typeof fetch;
  readonly schedule: FrameScheduler;
  readonly now: () => number;
  /** Source of jitter in [0, 1) for reconnects and retries; defaults to `Math.random`. */
  readonly random?: () => number;
  /** Opens a socket; defaults to the browser's `WebSocket`. */
  readonly createSocket?: (url: string) => SocketLike;
  /** Period of the clock tick, ms. */
  readonly tickMs?: number;
  readonly redrawMs?: RedrawLimits;
}

/** The features' runtimes, and the switch of the whole. */
export interface Dashboard {
  readonly session: SessionRuntime;
  readonly fleet: FleetRuntime;
  readonly timelines: TimelineRuntime;
  /** Ask who is signed in; once someone is, start the data features, then connect (so they hear the first state). */
  start(): void;
  /** Disconnect, stop the data features, then the session; {@link start} may be called again. */
  stop(): void;
}

/** Create the dashboard's parts; nothing runs until {@link Dashboard.start}. */
export function createDashboard(options: DashboardOptions): Dashboard {
  const { env, now, random, createSocket, tickMs } = options;
  const schedule = sharedFrames(options.schedule); // both features publish in one frame callback: one render
  const limits = options.redrawMs ?? REDRAW_MS;
  const socket = new LiveSocket({
    url: env.liveUrl,
    ...(random === undefined ? {} : { random }),
    ...(createSocket === undefined ? {} : { createSocket }),
  });
  const session = new SessionRuntime({
    api: createAuthApi({ baseUrl: env.apiBaseUrl, fetch: options.fetch }),
    feed: socket,
    ...(random === undefined ? {} : { random }),
  });
  // The data features' requests go through the session's guard: a 401 ends the session.
  const api = createApiClient({ baseUrl: env.apiBaseUrl, fetch: session.guard(options.fetch) });
  const fleet = new FleetRuntime({ api, feed: socket, schedule, now, redrawMs: limits.fleet, ...(random === undefined ? {} : { random }) });
  const timelines = new TimelineRuntime({
    api,
    feed: socket,
    schedule,
    now,
    redrawMs: { device: limits.device, sparkline: limits.sparkline },
    ...(tickMs === undefined ? {} : { tickMs }),
  });
  let dataRunning = false;
  let unwatch: (() => void) | null = null;
  function startData(): void {
    dataRunning = true;
    fleet.start();
    timelines.start();
    socket.start();
  }
  function stopData(): void {
    dataRunning = false;
    socket.stop();
    timelines.stop();
    fleet.stop();
  }
  /** Data runs exactly while someone is signed in. */
  function follow(): void {
    const signedIn = session.store.getSnapshot().phase === 'signed-in';
    if (signedIn && !dataRunning) {
      startData();
    } else if (!signedIn && dataRunning) {
      stopData();
    }
  }
  return {
    session,
    fleet,
    timelines,
    start() {
      if (unwatch !== null) {
        return;
      }
      unwatch = session.store.subscribe(follow);
      session.start();
      follow();
    },
    stop() {
      unwatch?.();
      unwatch = null;
      if (dataRunning) {
        stopData();
      }
      session.stop();
    },
  };
}
