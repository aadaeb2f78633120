import { describe, expect, it } from 'vitest';

import {
  type DeviceInfo,
  type FrameMessage,
  MAX_SUBSCRIPTIONS,
  type ServerMessage,
  type StatusMessage,
} from '@/lib/contract';

import { type FleetEvent, type FleetState, type FleetStep, INITIAL_FLEET, startFleet, stepFleet } from './fleet';

const T0 = 1_800_000_000_000;

function info(device: string, online = true): DeviceInfo {
  return { device, online, boot: 'b1', statusReceivedTs: T0, lastReceivedTs: T0, latest: null, pending: 0, dropped: 0 };
}

function status(device: string, online: boolean): StatusMessage {
  return { type: 'status', device, online, boot: 'b1', deviceTs: T0 + 1000, receivedTs: T0 + 1005, pending: 0, dropped: 0 };
}

function frame(device: string, deviceTs: number): FrameMessage {
  const reading = { seq: 1, deviceTs, receivedTs: deviceTs + 5, values: { temperature: 21 } };
  return { type: 'frame', device, boot: 'b1', seq: [1, 1], readings: [reading] };
}

function message(m: ServerMessage, at = T0): FleetEvent {
  return { type: 'message', message: m, at };
}

/** Apply `events` in order from `state`; the last step. */
function run(state: FleetState, ...events: FleetEvent[]): FleetStep {
  let step: FleetStep = { state, effects: [] };
  for (const event of events) {
    step = stepFleet(step.state, event);
  }
  return step;
}

const LOADED = run(INITIAL_FLEET, { type: 'loaded', devices: [info('sim-2'), info('sim-1', false)] }).state;

describe('fleet reducer', () => {
  it('asks for the snapshot first, and streams every device it lists once it arrives', () => {
    expect(startFleet().effects).toEqual([{ type: 'load' }]);
    const step = run(INITIAL_FLEET, { type: 'loaded', devices: [info('sim-2'), info('sim-1', false)] });
    expect(step.state.loaded).toBe(true);
    expect(step.state.devices['sim-1']?.online).toBe(false);
    expect(step.effects).toEqual([{ type: 'stream', devices: ['sim-1', 'sim-2'] }]);
  });

  it('streams no more devices than the server accepts', () => {
    const devices = Array.from({ length: MAX_SUBSCRIPTIONS + 10 }, (_, i) => info(`d-${String(i).padStart(4, '0')}`));
    const [effect] = run(INITIAL_FLEET, { type: 'loaded', devices }).effects;
    expect(effect?.type === 'stream' ? effect.devices.length : 0).toBe(MAX_SUBSCRIPTIONS);
  });

  it('says a failed snapshot is retried, asks again with the backoff of that attempt, and clears the problem once it arrives', () => {
    const failed = run(INITIAL_FLEET, { type: 'load-failed', attempt: 2, error: 'HTTP 502: Bad Gateway' });
    expect(failed.state.problem).toBe('could not load devices (HTTP 502: Bad Gateway); retrying');
    expect(failed.effects).toEqual([{ type: 'retry', attempt: 2 }]);
    expect(run(failed.state, { type: 'loaded', devices: [] }).state.problem).toBeNull();
  });

  it('asks for a new snapshot when the socket is live again after a drop, not on the first connect', () => {
    const first = run(LOADED, { type: 'connection', state: 'live' });
    expect(first.effects).toEqual([]);
    const back = run(first.state, { type: 'connection', state: 'reconnecting' }, { type: 'connection', state: 'live' });
    expect(back.state.connection).toBe('live');
    expect(back.effects).toEqual([{ type: 'load' }]);
  });

  it('streams a device that a status introduces, and changes nothing else for a known one', () => {
    expect(run(LOADED, message(status('sim-3', true))).effects).toEqual([
      { type: 'stream', devices: ['sim-1', 'sim-2', 'sim-3'] },
    ]);
    const known = run(LOADED, message(status('sim-1', true)));
    expect(known.effects).toEqual([]);
    expect(known.state.devices['sim-1']?.online).toBe(true);
  });

  it('averages the latency from device time to the browser over frames', () => {
    const first = run(LOADED, message(frame('sim-1', T0 - 100), T0));
    expect(first.state.latencyMs).toBe(100);
    const second = run(first.state, message(frame('sim-1', T0 + 1000 - 260), T0 + 1000));
    expect(second.state.latencyMs).toBe(110);
  });

  it('counts rejected messages and shows the latest problem in words', () => {
    const step = run(
      LOADED,
      { type: 'rejected', error: 'missing frame.seq' },
      { type: 'rejected', error: 'not json' },
    );
    expect(step.state.rejected).toBe(2);
    expect(step.state.problem).toBe('dropped a message: not json');
    const error = run(step.state, message({ type: 'error', code: 'too_many', message: 'limit reached' }));
    expect(error.state.problem).toBe('server: too_many: limit reached');
  });

  it('keeps its state object when a message changes nothing', () => {
    expect(run(LOADED, message({ type: 'hello', protocol: 1 })).state).toBe(LOADED);
    expect(run(LOADED, message({ type: 'subscribed', devices: ['sim-1'] })).state).toBe(LOADED);
  });
});
