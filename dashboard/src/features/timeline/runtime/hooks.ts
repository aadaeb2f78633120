/**
 * The timelines' hooks: the app provides a {@link TimelineRuntime} through
 * {@link TimelineContext}; a component opens the timeline it shows for as long as it
 * is mounted and reads that timeline's view from the store.
 */
import { createContext, useCallback, useContext, useEffect, useSyncExternalStore } from 'react';

import type { TimelineView } from '../model/view';
import type { TimeWindow } from '../model/windows';
import { SPARKLINE_WINDOW, timelineKey, type TimelineRequest } from './config';
import type { TimelineRuntime } from './timeline-runtime';

/** The timeline runtime of the page; the app's composition root provides it. */
export const TimelineContext = createContext<TimelineRuntime | null>(null);

function useTimelineRuntime(): TimelineRuntime {
  const runtime = useContext(TimelineContext);
  if (runtime === null) {
    throw new Error('timeline hooks need a TimelineContext provider (see src/app/App.tsx)');
  }
  return runtime;
}

/** Keep a timeline open while mounted (`window` must keep its identity while unchanged); its view once drawn. */
function useTimeline({ kind, device, window, offline }: TimelineRequest): TimelineView | undefined {
  const runtime = useTimelineRuntime();
  useEffect(() => runtime.open({ kind, device, window, offline }), [runtime, kind, device, window, offline]);
  const key = timelineKey(kind, device);
  const { store } = runtime;
  return useSyncExternalStore(store.subscribe, () => store.getSnapshot().views[key]);
}

/**
 * Every channel of one device over `window`.
 *
 * @param online Presence from the fleet (null while unknown): an offline device gets its
 *   history at once instead of waiting for a live reading.
 */
export function useDeviceTimeline(device: string, window: TimeWindow, online: boolean | null): TimelineView | undefined {
  return useTimeline({ kind: 'device', device, window, offline: online === false });
}

/** A fleet card's temperature over the last 15 minutes. */
export function useSparklineTimeline(device: string, online: boolean | null): TimelineView | undefined {
  return useTimeline({ kind: 'sparkline', device, window: SPARKLINE_WINDOW, offline: online === false });
}

/** Pause and the clock the charts follow. */
export interface Playback {
  readonly paused: boolean;
  /** The time the charts show as "now": frozen while paused. */
  readonly clock: number;
  /** Readings waiting in the timelines on screen. */
  readonly queued: number;
  readonly pause: () => void;
  readonly resume: () => void;
}

/** Whether the charts are paused, their clock, and the buttons' actions. */
export function usePlayback(): Playback {
  const runtime = useTimelineRuntime();
  const { store } = runtime;
  const { paused, clock, queued } = useSyncExternalStore(store.subscribe, store.getSnapshot);
  const pause = useCallback(() => {
    runtime.pause();
  }, [runtime]);
  const resume = useCallback(() => {
    runtime.resume();
  }, [runtime]);
  return { paused, clock, queued, pause, resume };
}

/** The URL of a raw CSV export of one device's range. */
export function useExportUrl(): (device: string, since: number, until: number) => string {
  const runtime = useTimelineRuntime();
  return useCallback((device: string, since: number, until: number) => runtime.exportUrl(device, since, until), [runtime]);
}
