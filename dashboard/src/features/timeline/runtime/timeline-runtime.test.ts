import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { createApiClient } from '@/lib/api';
import { LiveSocket } from '@/lib/live-socket';
import { socketFactory } from '@/test/fake-socket';
import { manualFrames } from '@/test/frames';
import { json, mockFetch } from '@/test/mock-fetch';

import { DEVICE_TIMELINE, SPARKLINE_TIMELINE, SPARKLINE_WINDOW, type TimelineRedrawLimits, type TimelineRequest } from './config';
import { TimelineRuntime } from './timeline-runtime';

const NOW = 1_800_000_000_000;
const SPAN = 15 * 60_000;
const SPARK: TimelineRequest = { kind: 'sparkline', device: 'sim-1', window: SPARKLINE_WINDOW, offline: false };

function wire(seq: number, ts: number) {
  return { seq, device_ts: ts, received_ts: ts + 5, temperature: 20 + seq / 10 };
}

function frame(seq: number, ts: number) {
  return { type: 'frame', device: 'sim-1', boot: 'b1', seq: [seq, seq], readings: [wire(seq, ts)] };
}

/** Answer the history request of a timeline with raw readings. */
function history(since: number, until: number, readings: ReturnType<typeof wire>[], config = SPARKLINE_TIMELINE, points = config.points) {
  const { channels } = config;
  const params = new URLSearchParams({ since: String(since), until: String(until), channels: channels.join(','), points: String(points) });
  const col = (name: string) => readings.map((r) => (r as Record<string, number>)[name] ?? null);
  network.get(`/api/v1/devices/sim-1/history?${params.toString()}`, () =>
    json({
      device: 'sim-1',
      since_device_ts: since,
      until_device_ts: until,
      bucket_ms: 0,
      channels,
      device_ts: readings.map((r) => r.device_ts),
      n: readings.map(() => 1),
      series: Object.fromEntries(channels.map((c) => [c, { min: col(c), max: col(c), mean: col(c) }])),
      gaps_device_ts: [],
      seq: readings.map((r) => r.seq),
      boot: readings.map(() => 'b1'),
    }),
  );
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

function setup(redrawMs: TimelineRedrawLimits = { device: 0, sparkline: 0 }) {
  const sockets = socketFactory();
  const frames = manualFrames();
  const socket = new LiveSocket({ url: 'ws://dashboard.test/ws/live/', createSocket: sockets.create, random: () => 0 });
  const runtime = new TimelineRuntime({
    api: createApiClient({ baseUrl: '/api/v1', fetch: network.fetch }),
    feed: socket,
    schedule: frames.schedule,
    now: () => Date.now(),
    redrawMs,
  });
  runtime.start();
  socket.start();
  sockets.last.accept();
  /** Let `ms` pass, let requests resolve, then run the animation frames. */
  async function settle(ms = 0): Promise<void> {
    await vi.advanceTimersByTimeAsync(ms);
    for (let round = 0; round < 3; round += 1) {
      for (let i = 0; i < 20; i += 1) {
        await Promise.resolve();
      }
      frames.flush();
    }
  }
  const view = (key = 'spark:sim-1') => runtime.store.getSnapshot().views[key];
  return { socket: sockets.last, runtime, settle, view };
}

/** A sparkline of sim-1 with readings 1 and 2 from history and 3 live. */
async function readySparkline(redrawMs?: TimelineRedrawLimits) {
  const parts = setup(redrawMs);
  const release = parts.runtime.open(SPARK);
  parts.socket.receive(frame(3, NOW - 50));
  history(NOW - 50 - SPAN, NOW - 50, [wire(1, NOW - 2000), wire(2, NOW - 1000)]);
  await parts.settle(300);
  return { ...parts, release };
}

describe('TimelineRuntime', () => {
  it('streams the device of an opened timeline, asks history up to its first settled live reading, then draws it', async () => {
    const { socket, view, runtime } = await readySparkline();
    expect(socket.sent).toEqual([{ type: 'subscribe', devices: ['sim-1'] }]);
    expect(view()).toMatchObject({ phase: 'ready', lastTs: NOW - 50 });
    expect(view()?.columns.readings).toBe(3);
    expect(runtime.store.getSnapshot().clock).toBe(Date.now());
  });

  it('starts a timeline opened later from the live frames of the last seconds', async () => {
    const { socket, runtime, settle, view } = setup();
    socket.receive(frame(3, NOW - 50));
    await settle(300);
    history(NOW - 50 - SPAN, NOW - 50, [wire(2, NOW - 1000)]);
    runtime.open(SPARK);
    await settle();
    expect(view()?.columns.readings).toBe(2);
  });

  it('asks history up to now at once for an offline device', async () => {
    const { runtime, settle, view } = setup();
    history(NOW - SPAN, NOW, [wire(1, NOW - 60_000)]);
    runtime.open({ ...SPARK, offline: true });
    await settle();
    expect(view()).toMatchObject({ phase: 'ready', lastTs: NOW - 60_000 });
  });

  it('keeps a timeline and its data when it is released and opened again in the same task', async () => {
    const { runtime, release, settle, view, socket } = await readySparkline();
    const requests = network.requests.length;
    release();
    const again = runtime.open(SPARK);
    await settle(5000);
    expect(network.requests).toHaveLength(requests);
    expect(view()?.columns.readings).toBe(3);
    expect(socket.sent).toHaveLength(1);
    again();
  });

  it('closes a timeline released for good: its view leaves the store and its device is no longer streamed', async () => {
    const { release, settle, view, socket } = await readySparkline();
    release();
    await settle();
    expect(view()).toBeUndefined();
    expect(socket.sent).toEqual([
      { type: 'subscribe', devices: ['sim-1'] },
      { type: 'unsubscribe', devices: ['sim-1'] },
    ]);
    socket.receive(frame(4, Date.now() - 20));
    await settle(5000);
    expect(view()).toBeUndefined();
  });

  it('shows the old data in a new window until the new history arrives', async () => {
    const { runtime, socket, settle } = setup();
    const request: TimelineRequest = { kind: 'device', device: 'sim-1', window: { kind: 'live', spanMs: SPAN }, offline: false };
    const release = runtime.open(request);
    socket.receive(frame(3, NOW - 50));
    history(NOW - 50 - SPAN, NOW - 50, [wire(2, NOW - 1000)], DEVICE_TIMELINE);
    await settle(300);
    const view = () => runtime.store.getSnapshot().views['device:sim-1'];
    expect(view()?.columns.readings).toBe(2);

    const zoom = { kind: 'fixed', since: NOW - 5000, until: NOW } as const;
    release();
    runtime.open({ ...request, window: zoom });
    await settle();
    expect(view()).toMatchObject({ window: zoom, phase: 'waiting' });
    expect(view()?.columns.readings).toBe(2);
    history(zoom.since, zoom.until, [wire(1, NOW - 4000), wire(2, NOW - 1000), wire(3, NOW - 50)], DEVICE_TIMELINE);
    await settle(250);
    expect(view()).toMatchObject({ window: zoom, phase: 'ready' });
    expect(view()?.columns.readings).toBe(3);
  });

  it('holds its views and its clock while paused, counts what waits, and applies it all on resume', async () => {
    const { runtime, socket, settle, view } = await readySparkline();
    runtime.pause();
    const pausedAt = Date.now();
    socket.receive(frame(4, Date.now() - 40));
    socket.receive(frame(5, Date.now() - 20));
    await settle(2000);
    expect(runtime.store.getSnapshot()).toMatchObject({ paused: true, clock: pausedAt, queued: 2 });
    expect(view()?.columns.readings).toBe(3);

    runtime.resume();
    await settle();
    expect(runtime.store.getSnapshot()).toMatchObject({ paused: false, clock: Date.now(), queued: 0 });
    expect(view()?.columns.readings).toBe(5);
  });

  it('redraws a changed sparkline no sooner than its limit allows', async () => {
    const { socket, settle, view } = await readySparkline({ device: 0, sparkline: 1000 });
    await settle(1000);
    const drawn = view();
    expect(drawn?.columns.readings).toBe(3);
    socket.receive(frame(4, Date.now() - 20));
    await settle(100);
    expect(view()).toBe(drawn);
    await settle(1000);
    expect(view()?.columns.readings).toBe(4);
  });
});
