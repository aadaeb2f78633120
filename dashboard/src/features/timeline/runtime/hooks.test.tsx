// @vitest-environment jsdom
import { act, cleanup, renderHook } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { createApiClient } from '@/lib/api';
import { LiveSocket } from '@/lib/live-socket';
import { socketFactory } from '@/test/fake-socket';
import { manualFrames } from '@/test/frames';
import { mockFetch } from '@/test/mock-fetch';

import type { TimeWindow } from '../model/windows';
import { TimelineContext, useDeviceTimeline, usePlayback } from './hooks';
import { TimelineRuntime } from './timeline-runtime';

const NOW = 1_800_000_000_000;
const LIVE: TimeWindow = { kind: 'live', spanMs: 15 * 60_000 };

let network = mockFetch();

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  vi.setSystemTime(NOW);
  network = mockFetch();
});

afterEach(() => {
  cleanup();
  vi.useRealTimers();
  network.verify();
});

function setup() {
  const sockets = socketFactory();
  const frames = manualFrames();
  const socket = new LiveSocket({ url: 'ws://dashboard.test/ws/live/', createSocket: sockets.create, random: () => 0 });
  const runtime = new TimelineRuntime({
    api: createApiClient({ baseUrl: '/api/v1', fetch: network.fetch }),
    feed: socket,
    schedule: frames.schedule,
    now: () => Date.now(),
    redrawMs: { device: 0, sparkline: 0 },
  });
  socket.start();
  sockets.last.accept();
  function wrapper({ children }: { readonly children: ReactNode }) {
    return <TimelineContext value={runtime}>{children}</TimelineContext>;
  }
  /** Let pending microtasks (a deferred close) run, then the animation frame. */
  async function settle(): Promise<void> {
    await act(async () => {
      await vi.advanceTimersByTimeAsync(0);
      frames.flush();
    });
  }
  return { socket: sockets.last, runtime, wrapper, settle };
}

describe('timeline hooks', () => {
  it('keep a device timeline open while mounted, follow its window, and close it when unmounted', async () => {
    const { socket, wrapper, settle } = setup();
    const initialProps: { window: TimeWindow } = { window: LIVE };
    const { result, rerender, unmount } = renderHook(({ window }) => useDeviceTimeline('sim-1', window, null), {
      wrapper,
      initialProps,
    });
    await settle();
    expect(result.current).toMatchObject({ device: 'sim-1', window: LIVE, phase: 'waiting' });
    expect(socket.sent).toEqual([{ type: 'subscribe', devices: ['sim-1'] }]);

    const zoom: TimeWindow = { kind: 'fixed', since: NOW - 60_000, until: NOW };
    rerender({ window: zoom });
    await settle();
    expect(result.current?.window).toEqual(zoom);
    expect(socket.sent).toHaveLength(1); // the same timeline: still streamed, never unsubscribed

    unmount();
    await settle();
    expect(socket.sent).toEqual([
      { type: 'subscribe', devices: ['sim-1'] },
      { type: 'unsubscribe', devices: ['sim-1'] },
    ]);
  });

  it('pause and resume through the playback hook, with the clock held meanwhile', async () => {
    const { wrapper, settle } = setup();
    const { result } = renderHook(() => usePlayback(), { wrapper });
    act(() => {
      result.current.pause();
    });
    await settle();
    expect(result.current).toMatchObject({ paused: true, clock: NOW, queued: 0 });
    act(() => {
      vi.setSystemTime(NOW + 5000);
      result.current.resume();
    });
    await settle();
    expect(result.current).toMatchObject({ paused: false, clock: NOW + 5000 });
  });

  it('say so when no runtime is provided', () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(() => renderHook(() => usePlayback())).toThrow(/TimelineContext/);
  });
});
