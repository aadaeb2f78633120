/**
 * The fleet's live status: the device list (snapshot, then `status` and `frame` events,
 * see `devices.ts`) and what the header says about the connection: its state, the
 * latency of live data and the latest problem.
 *
 * Pure, like the timeline reducer: `(state, event) -> { state, effects }`, no I/O and no
 * clock (an event carries its time). Effects are data — load the snapshot now, load it
 * again after a backoff, stream these devices — and the fleet runtime carries them out.
 *
 * - **Snapshot, then events.** The snapshot comes from `GET /devices`; until it arrives
 *   (and while it fails, retried with backoff) the problem says so.
 * - **Reconnect.** Presence that changed while the socket was down is only in a new
 *   snapshot, so the first `live` after a drop asks for one.
 * - **Streaming.** Every known device is streamed (up to the server's limit), so a new
 *   device's `status` widens the subscription.
 */
import { type DeviceInfo, MAX_SUBSCRIPTIONS, type ServerMessage } from '@/lib/contract';
import type { ConnectionState } from '@/lib/live-socket';

import { type Devices, reduceDevices } from './devices';

/** Everything the fleet knows. */
export interface FleetState {
  readonly connection: ConnectionState;
  /** The socket dropped since it was last live: the next `live` reloads the snapshot. */
  readonly wasDown: boolean;
  /** Device timestamp to browser, smoothed over recent frames, ms. */
  readonly latencyMs: number | null;
  /** Whether the snapshot has arrived. */
  readonly loaded: boolean;
  readonly devices: Devices;
  /** The latest thing that went wrong, in words, or null. */
  readonly problem: string | null;
  /** Server messages dropped because they broke the protocol. */
  readonly rejected: number;
}

/** Inputs; `at` is the browser's clock. */
export type FleetEvent =
  | { readonly type: 'loaded'; readonly devices: readonly DeviceInfo[] }
  /** Attempt `attempt` (0 for the first) of loading the snapshot failed. */
  | { readonly type: 'load-failed'; readonly attempt: number; readonly error: string }
  | { readonly type: 'connection'; readonly state: ConnectionState }
  | { readonly type: 'message'; readonly message: ServerMessage; readonly at: number }
  | { readonly type: 'rejected'; readonly error: string };

/** Outputs for the runtime, in order. */
export type FleetEffect =
  /** Ask for the snapshot now. */
  | { readonly type: 'load' }
  /** Ask again after the backoff delay of failed attempt `attempt`. */
  | { readonly type: 'retry'; readonly attempt: number }
  /** The devices to stream over the live socket. */
  | { readonly type: 'stream'; readonly devices: readonly string[] };

/** A step's result. */
export interface FleetStep {
  readonly state: FleetState;
  readonly effects: readonly FleetEffect[];
}

/** Frames over which the latency is averaged (exponentially). */
const LATENCY_FRAMES = 16;

/** The fleet before anything happened; the runtime asks for the snapshot with {@link startFleet}. */
export const INITIAL_FLEET: FleetState = {
  connection: 'connecting',
  wasDown: false,
  latencyMs: null,
  loaded: false,
  devices: {},
  problem: null,
  rejected: 0,
};

/** The first step: ask for the snapshot. */
export function startFleet(): FleetStep {
  return { state: INITIAL_FLEET, effects: [{ type: 'load' }] };
}

function streamed(devices: Devices): FleetEffect {
  return { type: 'stream', devices: Object.keys(devices).sort().slice(0, MAX_SUBSCRIPTIONS) };
}

function withProblem(state: FleetState, problem: string | null): FleetState {
  return state.problem === problem ? state : { ...state, problem };
}

/** Apply one event. */
export function stepFleet(state: FleetState, event: FleetEvent): FleetStep {
  switch (event.type) {
    case 'loaded': {
      const devices = reduceDevices(state.devices, { type: 'snapshot', devices: event.devices });
      return { state: { ...state, devices, loaded: true, problem: null }, effects: [streamed(devices)] };
    }
    case 'load-failed':
      return {
        state: withProblem(state, `could not load devices (${event.error}); retrying`),
        effects: [{ type: 'retry', attempt: event.attempt }],
      };
    case 'connection':
      return onConnection(state, event.state);
    case 'rejected':
      return { state: { ...state, rejected: state.rejected + 1, problem: `dropped a message: ${event.error}` }, effects: [] };
    case 'message':
      return onMessage(state, event.message, event.at);
  }
}

function onConnection(state: FleetState, connection: ConnectionState): FleetStep {
  if (connection === 'reconnecting') {
    return { state: { ...state, connection, wasDown: true }, effects: [] };
  }
  if (connection === 'live' && state.wasDown) {
    // Presence that changed while we were away is only in the snapshot.
    return { state: { ...state, connection, wasDown: false }, effects: [{ type: 'load' }] };
  }
  return { state: state.connection === connection ? state : { ...state, connection }, effects: [] };
}

function onMessage(state: FleetState, message: ServerMessage, at: number): FleetStep {
  switch (message.type) {
    case 'hello':
    case 'subscribed':
      return { state, effects: [] };
    case 'error':
      return { state: withProblem(state, `server: ${message.code}: ${message.message}`), effects: [] };
    case 'status': {
      const known = message.device in state.devices;
      const devices = reduceDevices(state.devices, { type: 'status', status: message });
      return { state: { ...state, devices }, effects: known ? [] : [streamed(devices)] };
    }
    case 'frame': {
      const devices = reduceDevices(state.devices, { type: 'frame', frame: message });
      const last = message.readings[message.readings.length - 1];
      if (last === undefined) {
        return { state: devices === state.devices ? state : { ...state, devices }, effects: [] };
      }
      const sample = at - last.deviceTs;
      const { latencyMs } = state;
      return {
        state: { ...state, devices, latencyMs: latencyMs === null ? sample : latencyMs + (sample - latencyMs) / LATENCY_FRAMES },
        effects: [],
      };
    }
  }
}
