// @vitest-environment jsdom
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { createApiClient } from '@/lib/api';
import { socketFactory } from '@/test/fake-socket';
import { json, mockFetch } from '@/test/mock-fetch';

import { App } from './App';
import { HISTORY_MS, STREAM_OPTIONS, Telemetry } from './telemetry';

// jsdom has no canvas: the chart wrapper gets an inert chart and the test reads the DOM.
vi.mock('@/lib/echarts', () => ({
  createChart: () => ({ setOption: vi.fn(), resize: vi.fn(), dispose: vi.fn() }),
}));

const NOW = 1_800_000_000_000;
const SINCE = NOW - HISTORY_MS;

function row(seq: number, temperature = 21) {
  return { seq, ts: NOW - 10_000 + seq * 1000, rx: NOW - 10_000 + seq * 1000 + 5, temperature, humidity: 40, pressure: 1000 };
}

function historyUrl(device: string): string {
  return `/api/v1/devices/${device}/readings?since=${String(SINCE)}&until=${String(NOW)}&limit=${String(STREAM_OPTIONS.capacity)}`;
}

let network = mockFetch();
let errors = vi.spyOn(console, 'error');

beforeEach(() => {
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
  vi.unstubAllGlobals();
  network.verify();
  expect(errors).not.toHaveBeenCalled();
});

function start() {
  const sockets = socketFactory();
  const frames: (() => void)[] = [];
  const telemetry = new Telemetry({
    api: createApiClient({ baseUrl: '/api/v1', fetch: network.fetch }),
    liveUrl: 'ws://dashboard.test/ws/live/',
    schedule: (callback) => frames.push(callback),
    now: () => NOW,
    random: () => 0,
    createSocket: sockets.create,
  });
  render(<App telemetry={telemetry} />);
  /** Let pending requests resolve, then run one animation frame. */
  async function settle(): Promise<void> {
    await act(async () => {
      await new Promise((resolve) => setTimeout(resolve, 0));
      for (const frame of frames.splice(0)) {
        frame();
      }
    });
  }
  return { sockets, settle };
}

function attr(testId: string, name: string): string | undefined {
  return screen.getByTestId(testId).dataset[name];
}

describe('App', () => {
  it('loads the fleet, joins history and live frames per device and follows presence', async () => {
    network.get('/api/v1/devices', () =>
      json({
        devices: [
          { device: 'sim-1', online: true, boot: 'b1', last_seen: NOW, status_ts: NOW, latest: row(2) },
          { device: 'sim-2', online: false, boot: null, last_seen: null, status_ts: null, latest: null },
        ],
      }),
    );
    network.get(historyUrl('sim-1'), () =>
      json({ device: 'sim-1', since: SINCE, until: NOW, readings: [row(0), row(1), row(2)], truncated: false }),
    );
    network.get(historyUrl('sim-2'), () => json({ device: 'sim-2', since: SINCE, until: NOW, readings: [], truncated: false }));

    const { sockets, settle } = start();
    await settle();
    expect(attr('connection', 'state')).toBe('connecting');
    expect(attr('device-sim-1', 'online')).toBe('true');
    expect(attr('device-sim-2', 'online')).toBe('false');
    expect(attr('chart-sim-1-temperature', 'points')).toBe('0');
    // History waits for the subscription, so no frame can fall between the two.
    expect(network.requests).toEqual(['GET /api/v1/devices?']);

    const socket = sockets.last;
    act(() => {
      socket.accept();
    });
    expect(socket.sent).toEqual([{ type: 'subscribe', devices: ['sim-1', 'sim-2'] }]);
    act(() => {
      socket.receive({ type: 'subscribed', devices: ['sim-1', 'sim-2'] });
      socket.receive({ type: 'frame', device: 'sim-1', boot: 'b1', seq: [3, 3], readings: [row(3, 22)] });
    });
    await settle();
    expect(attr('connection', 'state')).toBe('live');
    expect(attr('chart-sim-1-temperature', 'points')).toBe('4');
    expect(attr('chart-sim-1-pressure', 'points')).toBe('4');
    expect(attr('chart-sim-2-humidity', 'points')).toBe('0');

    act(() => {
      socket.receive({ type: 'frame', device: 'sim-1', boot: 'b1', seq: [4, 5], readings: [row(4), row(5, 23.5)] });
      socket.receive({ type: 'status', device: 'sim-2', online: true, boot: 'b9', ts: NOW, pending: 0, dropped: 0 });
    });
    await settle();
    expect(attr('chart-sim-1-temperature', 'points')).toBe('6');
    expect(screen.getByTestId('device-sim-1').textContent).toContain('23.5 °C');
    expect(attr('device-sim-2', 'online')).toBe('true');

    act(() => {
      socket.drop();
    });
    await settle();
    expect(attr('connection', 'state')).toBe('reconnecting');
  });

  it('says so when the fleet cannot be loaded, and keeps trying', async () => {
    network.get('/api/v1/devices', () => new Response('', { status: 502, statusText: 'Bad Gateway' }));
    const { settle } = start();
    await settle();
    expect(screen.getByRole('alert').textContent).toContain('HTTP 502');
    expect(screen.getByText('Loading devices…')).toBeTruthy();
  });
});
