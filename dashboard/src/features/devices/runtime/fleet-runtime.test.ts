import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { createApiClient } from '@/lib/api';
import { LiveSocket } from '@/lib/live-socket';
import { socketFactory } from '@/test/fake-socket';
import { manualFrames } from '@/test/frames';
import { json, mockFetch } from '@/test/mock-fetch';

import { FleetRuntime } from './fleet-runtime';

const NOW = 1_800_000_000_000;
const REDRAW_MS = 250;

function device(id: string, online = true) {
  return { device: id, online, boot: 'b1', status_received_ts: NOW, last_received_ts: NOW, pending: 0, dropped: 0, latest: null };
}

function frame(id: string, seq: number, ts: number, temperature: number) {
  return { type: 'frame', device: id, boot: 'b1', seq: [seq, seq], readings: [{ seq, device_ts: ts, received_ts: ts + 5, temperature }] };
}

let network = mockFetch();

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  vi.setSystemTime(NOW);
  network = mockFetch();
});

afterEach(() => {
  vi.useRealTimers();
  network.verify();
});

function setup() {
  const sockets = socketFactory();
  const frames = manualFrames();
  const socket = new LiveSocket({ url: 'ws://dashboard.test/ws/live/', createSocket: sockets.create, random: () => 0 });
  const fleet = new FleetRuntime({
    api: createApiClient({ baseUrl: '/api/v1', fetch: network.fetch }),
    feed: socket,
    schedule: frames.schedule,
    now: () => Date.now(),
    random: () => 0,
    redrawMs: REDRAW_MS,
  });
  const published = vi.fn();
  fleet.store.subscribe(published);
  /** Let `ms` pass and requests resolve, then run the animation frame. */
  async function settle(ms = 0): Promise<void> {
    await vi.advanceTimersByTimeAsync(ms);
    for (let i = 0; i < 20; i += 1) {
      await Promise.resolve();
    }
    frames.flush();
  }
  function start(): void {
    fleet.start();
    socket.start();
  }
  return { sockets, frames, socket, fleet, published, settle, start };
}

describe('FleetRuntime', () => {
  it('loads the snapshot, streams its devices and publishes it in the next frame', async () => {
    network.get('/api/v1/devices', () => json({ devices: [device('sim-2'), device('sim-1', false)] }));
    const { sockets, fleet, frames, published, settle, start } = setup();
    start();
    await settle();
    expect(fleet.store.getSnapshot().loaded).toBe(true);
    expect(Object.keys(fleet.store.getSnapshot().devices).sort()).toEqual(['sim-1', 'sim-2']);
    sockets.last.accept();
    expect(sockets.last.sent).toEqual([{ type: 'subscribe', devices: ['sim-1', 'sim-2'] }]);
    expect(frames.pending).toBe(1);
    const before = published.mock.calls.length;
    frames.flush();
    expect(published).toHaveBeenCalledTimes(before + 1);
    expect(fleet.store.getSnapshot().connection).toBe('live');
  });

  it('shows a frame\'s values at most every redraw limit, and presence at once', async () => {
    network.get('/api/v1/devices', () => json({ devices: [device('sim-1')] }));
    const { sockets, fleet, settle, start } = setup();
    start();
    await settle();
    sockets.last.accept();
    sockets.last.receive(frame('sim-1', 1, NOW - 20, 22.5));
    await settle(100);
    expect(fleet.store.getSnapshot().devices['sim-1']?.latest).toBeNull();
    await settle(150);
    expect(fleet.store.getSnapshot().devices['sim-1']?.latest?.values).toEqual({ temperature: 22.5 });

    sockets.last.receive(frame('sim-1', 2, Date.now() - 20, 23));
    sockets.last.receive({ type: 'status', device: 'sim-1', online: false, boot: 'b1', device_ts: null, received_ts: Date.now(), pending: 0, dropped: 0 });
    await settle();
    expect(fleet.store.getSnapshot().devices['sim-1']).toMatchObject({ online: false, latest: { values: { temperature: 23 } } });
  });

  it('says the snapshot failed and tries again after a backoff', async () => {
    let calls = 0;
    network.get('/api/v1/devices', () => {
      calls += 1;
      return calls === 1 ? new Response('', { status: 502, statusText: 'Bad Gateway' }) : json({ devices: [device('sim-1')] });
    });
    const { fleet, settle, start } = setup();
    start();
    await settle();
    expect(fleet.store.getSnapshot().problem).toContain('HTTP 502');
    expect(fleet.store.getSnapshot().loaded).toBe(false);
    await settle(250); // the shortest first delay of the reconnect backoff (0.5 s, half of it jitter)
    expect(calls).toBe(2);
    expect(fleet.store.getSnapshot()).toMatchObject({ loaded: true, problem: null });
  });

  it('asks for the snapshot again when the socket is back after a drop', async () => {
    network.get('/api/v1/devices', () => json({ devices: [device('sim-1')] }));
    const { sockets, settle, start } = setup();
    start();
    await settle();
    sockets.last.accept();
    sockets.last.drop();
    await settle(250);
    sockets.last.accept();
    await settle();
    expect(network.requests.filter((r) => r.startsWith('GET /api/v1/devices'))).toHaveLength(2);
    expect(sockets.last.sent).toEqual([{ type: 'subscribe', devices: ['sim-1'] }]);
  });

  it('starts over from nothing when stopped, and ignores a snapshot that arrives afterwards', async () => {
    network.get('/api/v1/devices', () => json({ devices: [device('sim-1')] }));
    const { socket, fleet, settle, start } = setup();
    start();
    socket.stop();
    fleet.stop();
    await settle();
    expect(fleet.store.getSnapshot()).toMatchObject({ loaded: false, devices: {}, connection: 'connecting' });
  });
});
