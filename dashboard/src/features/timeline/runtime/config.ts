/** The timelines the screen shows (a device view, a fleet card's sparkline) and how often each is redrawn. */
import { DEVICE_CHANNELS } from '../model/groups';
import type { TimelineConfig } from '../model/timeline';
import { DEFAULT_WINDOW, type TimeWindow } from '../model/windows';

/** Least time between two redraws, ms; 0 redraws at every animation frame. */
export interface TimelineRedrawLimits {
  readonly device: number;
  readonly sparkline: number;
}

/**
 * Least time between two redraws: a device view redraws at most 4 times a second, and
 * a live window no more often than its axis moves a pixel (a thousandth of its span: 0.9 s
 * for 15 minutes), up to {@link MAX_REDRAW_MS}; a sparkline once a second. Live data
 * changes no faster than that visibly, and each redraw of seven charts costs real
 * main-thread time (docs/dashboard.md has the figures).
 */
export const TIMELINE_REDRAW_MS: TimelineRedrawLimits = { device: 250, sparkline: 1000 };

/** The longest a live device view waits between redraws. */
export const MAX_REDRAW_MS = 2000;

const RETRY_MS = [1000, 2000, 5000, 10_000, 30_000, 60_000, 120_000];

/** The device view: every channel, 600 buckets per window. */
export const DEVICE_TIMELINE: TimelineConfig = {
  channels: DEVICE_CHANNELS,
  points: 600,
  settleMs: 250,
  waitMs: 1500,
  catchUpMs: 1500,
  maxQueuedReadings: 20_000,
  retryMs: RETRY_MS,
};

/** A fleet card: temperature over the last 15 minutes in 60 buckets. */
export const SPARKLINE_TIMELINE: TimelineConfig = {
  channels: ['temperature'],
  points: 60,
  settleMs: 250,
  waitMs: 1500,
  catchUpMs: 1500,
  maxQueuedReadings: 2000,
  retryMs: RETRY_MS,
};

/** The window of every sparkline. */
export const SPARKLINE_WINDOW: TimeWindow = DEFAULT_WINDOW;

/** What a timeline shows: a device view (every channel) or a sparkline (temperature). */
export type TimelineKind = 'device' | 'sparkline';

/** What a component asks the runtime to keep open. */
export interface TimelineRequest {
  readonly kind: TimelineKind;
  readonly device: string;
  readonly window: TimeWindow;
  /** The device is known to be offline: nothing live to wait for, history is asked for at once. */
  readonly offline: boolean;
}

/** The key of a timeline in the store: `device:<id>` or `spark:<id>`. */
export function timelineKey(kind: TimelineKind, device: string): string {
  return `${kind === 'device' ? 'device' : 'spark'}:${device}`;
}

/** The configuration of a timeline of `kind`. */
export function timelineConfig(kind: TimelineKind): TimelineConfig {
  return kind === 'device' ? DEVICE_TIMELINE : SPARKLINE_TIMELINE;
}

/** Least time between two redraws of a timeline showing `window`. */
export function redrawMs(kind: TimelineKind, window: TimeWindow, limits: TimelineRedrawLimits): number {
  if (kind === 'sparkline') {
    return limits.sparkline;
  }
  // A live axis is about a thousand pixels of its span: redraw about once a pixel's worth.
  const pixel = window.kind === 'live' && limits.device > 0 ? window.spanMs / 1000 : 0;
  return Math.min(MAX_REDRAW_MS, Math.max(limits.device, pixel));
}
