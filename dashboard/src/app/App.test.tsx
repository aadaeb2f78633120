// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { DEVICE_TIMELINE, SPARKLINE_TIMELINE } from '@/features/timeline';
import { WS_CLOSE_NOT_AUTHENTICATED } from '@/lib/contract';
import { socketFactory } from '@/test/fake-socket';
import { json, mockFetch } from '@/test/mock-fetch';

import { App } from './App';
import { createDashboard, REDRAW_MS } from './dashboard';

// jsdom has no canvas: the chart wrapper gets an inert chart and the test reads the DOM.
vi.mock('@/lib/echarts', () => ({
  createChart: () => ({
    setOption: vi.fn(),
    resize: vi.fn(),
    dispose: vi.fn(),
    isDisposed: () => false,
    on: vi.fn(),
    dispatchAction: vi.fn(),
  }),
  joinGroup: vi.fn(),
}));

const NOW = 1_800_000_000_000;
const SPARK_SPAN = 15 * 60_000;

function wire(seq: number, ts: number, temperature = 21) {
  return { seq, device_ts: ts, received_ts: ts + 5, temperature, humidity: 40, pressure: 1000 };
}

function frame(device: string, seq: number, ts: number, temperature = 21) {
  return { type: 'frame', device, boot: 'b1', seq: [seq, seq], readings: [wire(seq, ts, temperature)] };
}

/** The history URL a timeline asks for. */
function historyUrl(device: string, since: number, until: number, channels: readonly string[], points: number): string {
  const params = new URLSearchParams({ since: String(since), until: String(until), channels: channels.join(','), points: String(points) });
  return `/api/v1/devices/${device}/history?${params.toString()}`;
}

/** A raw history answer of temperature, humidity and pressure readings. */
function raw(device: string, since: number, until: number, channels: readonly string[], readings: ReturnType<typeof wire>[]) {
  const col = (name: string) => readings.map((r) => (r as Record<string, number>)[name] ?? null);
  return json({
    device,
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
  });
}

let network = mockFetch();
let errors = vi.spyOn(console, 'error');

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  vi.setSystemTime(NOW);
  window.location.hash = '';
  network = mockFetch();
  errors = vi.spyOn(console, 'error');
  vi.stubGlobal(
    'ResizeObserver',
    class {
      observe = vi.fn();
      disconnect = vi.fn();
    },
  );
  vi.stubGlobal('matchMedia', () => ({ matches: false, addEventListener: vi.fn(), removeEventListener: vi.fn() }));
});

afterEach(() => {
  cleanup();
  vi.useRealTimers();
  vi.unstubAllGlobals();
  network.verify();
  expect(errors).not.toHaveBeenCalled();
});

const OTTO = { username: 'otto', role: 'operator', actions: ['read', 'send_command', 'acknowledge_alert', 'write_room'] } as const;
const ADA = { username: 'ada', role: 'admin', actions: [...OTTO.actions, 'manage_users', 'manage_devices', 'manage_credentials'] } as const;
const NOT_SIGNED_IN = { error: { code: 'not_authenticated', field: 'session', message: 'not signed in' } };

/**
 * Start the dashboard with `user` signed in (null: nobody). Redraw limits of 0 show every change
 * at the next frame; one test keeps the real ones.
 */
function start(
  redrawMs: { device: number; sparkline: number; fleet: number } = { device: 0, sparkline: 0, fleet: 0 },
  user: typeof OTTO | typeof ADA | null = OTTO,
) {
  network.get('/api/v1/auth/me', () => (user === null ? json(NOT_SIGNED_IN, 401) : json(user)));
  const sockets = socketFactory();
  const frames: (() => void)[] = [];
  const dashboard = createDashboard({
    env: { apiBaseUrl: '/api/v1', liveUrl: 'ws://dashboard.test/ws/live/' },
    fetch: network.fetch,
    schedule: (callback) => frames.push(callback),
    now: () => Date.now(),
    random: () => 0,
    createSocket: sockets.create,
    redrawMs,
  });
  render(<App dashboard={dashboard} />);
  /** Let `ms` pass, let pending requests resolve, then run the animation frames. */
  async function settle(ms = 0): Promise<void> {
    await act(async () => {
      await vi.advanceTimersByTimeAsync(ms);
      // Requests resolve through a few promise hops (fetch queue, body, decoder), frames may queue frames.
      for (let round = 0; round < 3; round += 1) {
        for (let i = 0; i < 20; i += 1) {
          await Promise.resolve();
        }
        for (const callback of frames.splice(0)) {
          callback();
        }
      }
    });
  }
  return { sockets, settle };
}

function attr(testId: string, name: string): string | undefined {
  return screen.getByTestId(testId).dataset[name];
}

describe('App', () => {
  it('shows the fleet, opens a device with history joined to live frames, pauses and catches up', async () => {
    network.get('/api/v1/devices', () =>
      json({
        devices: [
          { device: 'sim-1', online: true, boot: 'b1', status_received_ts: NOW, last_received_ts: NOW, pending: 0, dropped: 0, latest: wire(2, NOW - 1000) },
          { device: 'sim-2', online: false, boot: null, status_received_ts: null, last_received_ts: null, pending: null, dropped: 4, latest: null },
        ],
      }),
    );
    // sim-2 is offline: nothing live to wait for, its sparkline asks history up to now at once.
    const spark = SPARKLINE_TIMELINE;
    network.get(historyUrl('sim-2', NOW - SPARK_SPAN, NOW, spark.channels, spark.points), () =>
      raw('sim-2', NOW - SPARK_SPAN, NOW, spark.channels, []),
    );
    const { sockets, settle } = start();
    await settle();
    expect(attr('connection', 'state')).toBe('connecting');
    expect(attr('spark-sim-2', 'points')).toBe('0');
    expect(attr('device-sim-1', 'online')).toBe('true');
    expect(attr('device-sim-2', 'online')).toBe('false');
    expect(attr('device-sim-2', 'badges')).toBe('alert');

    const socket = sockets.last;
    act(() => {
      socket.accept();
      socket.receive({ type: 'subscribed', devices: ['sim-1', 'sim-2'] });
      socket.receive(frame('sim-1', 3, NOW - 50, 22.5));
    });
    expect(socket.sent).toEqual([{ type: 'subscribe', devices: ['sim-1', 'sim-2'] }]);
    await settle();
    expect(attr('connection', 'state')).toBe('live');
    expect(screen.getByTestId('device-sim-1').textContent).toContain('22.5 °C');

    // sim-1's sparkline asks history up to its first live reading.
    const sim1Until = NOW - 50;
    network.get(historyUrl('sim-1', sim1Until - SPARK_SPAN, sim1Until, spark.channels, spark.points), () =>
      raw('sim-1', sim1Until - SPARK_SPAN, sim1Until, spark.channels, [wire(1, NOW - 2000), wire(2, NOW - 1000)]),
    );
    await settle(300);
    expect(attr('spark-sim-1', 'points')).toBe('3');

    // The device view starts from the frames already received: history up to the first of them.
    const device = DEVICE_TIMELINE;
    network.get(historyUrl('sim-1', sim1Until - SPARK_SPAN, sim1Until, device.channels, device.points), () =>
      raw('sim-1', sim1Until - SPARK_SPAN, sim1Until, device.channels, [wire(1, NOW - 2000), wire(2, NOW - 1000)]),
    );
    expect(screen.getByTestId('device-sim-1').getAttribute('href')).toBe('#/device/sim-1');
    act(() => {
      window.location.hash = '#/device/sim-1';
      window.dispatchEvent(new HashChangeEvent('hashchange'));
    });
    await settle();
    await settle();
    expect(attr('device-view', 'phase')).toBe('ready');
    expect(attr('device-view', 'readings')).toBe('3');
    expect(attr('chart-temperature', 'points')).toBe('3');
    expect(attr('chart-orientation', 'points')).toBe('3');

    fireEvent.click(screen.getByTestId('pause'));
    act(() => {
      socket.receive(frame('sim-1', 4, Date.now() - 40));
      socket.receive(frame('sim-1', 5, Date.now() - 20));
    });
    await settle(100);
    expect(attr('connection', 'state')).toBe('paused');
    expect(attr('device-view', 'readings')).toBe('3');
    expect(attr('device-view', 'queued')).toBe('2');
    expect(screen.getByTestId('connection').textContent).toContain('2 new');

    fireEvent.click(screen.getByTestId('pause'));
    await settle();
    expect(attr('connection', 'state')).toBe('live');
    expect(attr('device-view', 'readings')).toBe('5');
    expect(attr('device-view', 'holes')).toBe('0');
  });

  it('fetches what it missed while the socket was down', async () => {
    network.get('/api/v1/devices', () =>
      json({ devices: [{ device: 'sim-1', online: true, boot: 'b1', status_received_ts: NOW, last_received_ts: NOW, pending: null, dropped: null, latest: null }] }),
    );
    window.location.hash = '#/device/sim-1';
    const { sockets, settle } = start();
    await settle();
    act(() => {
      sockets.last.accept();
      sockets.last.receive({ type: 'subscribed', devices: ['sim-1'] });
      sockets.last.receive(frame('sim-1', 10, NOW - 30));
    });
    const device = DEVICE_TIMELINE;
    const until = NOW - 30;
    network.get(historyUrl('sim-1', until - SPARK_SPAN, until, device.channels, device.points), () =>
      raw('sim-1', until - SPARK_SPAN, until, device.channels, [wire(9, NOW - 1000)]),
    );
    await settle(300);
    expect(attr('device-view', 'readings')).toBe('2');

    act(() => {
      sockets.last.drop();
    });
    await settle();
    expect(attr('connection', 'state')).toBe('reconnecting');
    await settle(5000);
    act(() => {
      sockets.last.accept();
      sockets.last.receive({ type: 'subscribed', devices: ['sim-1'] });
    });
    // The device stays quiet after the reconnect: everything since its last reading is fetched.
    const back = Date.now() + 1500;
    network.get(historyUrl('sim-1', NOW - 29, back, device.channels, 10_000), () =>
      raw('sim-1', NOW - 29, back, device.channels, [wire(11, NOW + 1000), wire(12, NOW + 2000)]),
    );
    await settle(1500);
    await settle();
    expect(attr('connection', 'state')).toBe('live');
    expect(attr('device-view', 'readings')).toBe('4');
    expect(attr('device-view', 'lastTs')).toBe(String(NOW + 2000));
  });

  it('redraws a live 15-minute view at most once per pixel of its axis (0.9 s)', async () => {
    network.get('/api/v1/devices', () => json({ devices: [] }));
    window.location.hash = '#/device/sim-1';
    const { sockets, settle } = start(REDRAW_MS);
    await settle();
    act(() => {
      sockets.last.accept();
      sockets.last.receive({ type: 'subscribed', devices: ['sim-1'] });
      sockets.last.receive(frame('sim-1', 1, NOW - 30));
    });
    const device = DEVICE_TIMELINE;
    network.get(historyUrl('sim-1', NOW - 30 - SPARK_SPAN, NOW - 30, device.channels, device.points), () =>
      raw('sim-1', NOW - 30 - SPARK_SPAN, NOW - 30, device.channels, []),
    );
    await settle(300);
    expect(attr('device-view', 'readings')).toBe('0'); // drawn (empty) 300 ms ago: not yet again
    await settle(600);
    expect(attr('device-view', 'readings')).toBe('1');
    act(() => {
      sockets.last.receive(frame('sim-1', 2, Date.now() - 20));
    });
    await settle(100);
    expect(attr('device-view', 'readings')).toBe('1');
    await settle(800);
    expect(attr('device-view', 'readings')).toBe('2');
  });

  it('says so when the fleet cannot be loaded, and keeps trying', async () => {
    network.get('/api/v1/devices', () => new Response('', { status: 502, statusText: 'Bad Gateway' }));
    const { settle } = start();
    await settle();
    expect(screen.getByRole('alert').textContent).toContain('HTTP 502');
    expect(screen.getByText('Loading devices…')).toBeTruthy();
  });
});

describe('App: who is signed in', () => {
  function logIn(username: string, password: string): void {
    fireEvent.change(screen.getByTestId('login-username'), { target: { value: username } });
    fireEvent.change(screen.getByTestId('login-password'), { target: { value: password } });
    fireEvent.click(screen.getByTestId('login-submit'));
  }

  function answerLogin(user: typeof OTTO | typeof ADA): void {
    network.get('/api/v1/auth/csrf', () => json({ csrf_token: 'token' }));
    network.post('/api/v1/auth/login', () => json(user));
  }

  it('shows the login page and asks for no data until someone logs in, then returns to the page asked for', async () => {
    window.location.hash = '#/device/sim-1';
    const { sockets, settle } = start(undefined, null);
    await settle();
    expect(screen.getByTestId('login-form')).toBeTruthy();
    expect(screen.queryByTestId('device-view')).toBeNull();
    expect(sockets.sockets).toHaveLength(0);
    expect(network.requests).toEqual(['GET /api/v1/auth/me?']);

    answerLogin(OTTO);
    network.get('/api/v1/devices', () => json({ devices: [] }));
    logIn('otto', 'correct horse battery');
    await settle();
    expect(window.location.hash).toBe('#/device/sim-1');
    expect(attr('device-view', 'device')).toBe('sim-1');
    expect(attr('user', 'username')).toBe('otto');
    expect(screen.getByTestId('user').textContent).toContain('operator');
    expect(sockets.sockets).toHaveLength(1);
  });

  it('shows the Admin link only to a user whose actions include manage_users', async () => {
    network.get('/api/v1/devices', () => json({ devices: [] }));
    const { settle } = start(undefined, OTTO);
    await settle();
    expect(attr('user', 'role')).toBe('operator');
    expect(screen.queryByTestId('admin-link')).toBeNull();
    cleanup();

    const admin = start(undefined, ADA);
    await admin.settle();
    expect(screen.getByTestId('admin-link').getAttribute('href')).toBe('/admin/');
  });

  it('logs out: the login page again, the socket closed and not reopened', async () => {
    network.get('/api/v1/devices', () => json({ devices: [] }));
    const { sockets, settle } = start();
    await settle();
    act(() => {
      sockets.last.accept();
    });
    network.get('/api/v1/auth/csrf', () => json({ csrf_token: 'token' }));
    network.post('/api/v1/auth/logout', () => new Response(null, { status: 204 }));
    fireEvent.click(screen.getByTestId('logout'));
    await settle();
    expect(screen.getByRole('status').textContent).toBe('You have logged out.');
    expect(sockets.last.closedByClient).toBe(true);
    await settle(60_000);
    expect(sockets.sockets).toHaveLength(1);
  });

  it('goes to the login page when the socket is closed with 4401, without reconnecting, and back after the login', async () => {
    network.get('/api/v1/devices', () => json({ devices: [] }));
    window.location.hash = '#/device/sim-1';
    const { sockets, settle } = start();
    await settle();
    act(() => {
      sockets.last.onopen?.(new Event('open'));
      sockets.last.closeWith(WS_CLOSE_NOT_AUTHENTICATED, 'no_credentials');
    });
    await settle(60_000);
    expect(screen.getByRole('alert').textContent).toBe('Your session has ended: log in again.');
    expect(sockets.sockets).toHaveLength(1);

    answerLogin(OTTO);
    logIn('otto', 'correct horse battery');
    await settle();
    expect(attr('device-view', 'device')).toBe('sim-1');
    expect(sockets.sockets).toHaveLength(2);
  });

  it('goes to the login page when a REST request is answered 401, and stops the live socket', async () => {
    network.get('/api/v1/devices', () => json(NOT_SIGNED_IN, 401));
    const { sockets, settle } = start();
    await settle();
    expect(screen.getByTestId('login-form')).toBeTruthy();
    expect(screen.getByRole('alert').textContent).toBe('Your session has ended: log in again.');
    expect(sockets.last.closedByClient).toBe(true);
    // The fleet does not retry its snapshot while nobody is signed in.
    network.forget('GET', '/api/v1/devices');
    await settle(60_000);
    expect(network.requests.filter((r) => r.startsWith('GET /api/v1/devices'))).toHaveLength(1);
  });
});
