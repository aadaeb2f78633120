/**
 * The timelines on screen and when they are redrawn.
 *
 * Which timelines exist follows the screen (a sparkline per device on the fleet view,
 * the chosen window on the device view). Each lives in a {@link TimelineSlot}; this
 * registry routes frames and clock ticks to them, keeps the last seconds of frames per
 * device to start a new one with, and turns changed slots into views at most as often as
 * their redraw limit allows.
 */
import type { Devices } from '@/features/devices';
import { DEVICE_CHANNELS, sameWindow, type TimelineConfig, type TimelineEvent, type TimeWindow } from '@/features/timeline';
import type { ApiClient } from '@/lib/api';
import type { FrameMessage } from '@/lib/protocol';

import { FetchQueue } from './fetch-queue';
import { TimelineSlot, type TimelineView } from './timeline-slot';

/** Least time between two redraws, ms; 0 redraws at every animation frame. */
export interface RedrawLimits {
  readonly device: number;
  readonly sparkline: number;
  readonly fleet: number;
}

/**
 * Least time between two redraws: a device view redraws at most 4 times a second, and
 * a live window no more often than its axis moves a pixel (a thousandth of its span: 0.9 s
 * for 15 minutes), up to {@link MAX_REDRAW_MS}; a sparkline once a second. Live data
 * changes no faster than that visibly, and each redraw of seven charts costs real
 * main-thread time (docs/dashboard.md has the figures). The fleet's values (last seen,
 * latest readings) change at most 4 times a second; presence changes show at once.
 */
export const REDRAW_MS: RedrawLimits = { device: 250, sparkline: 1000, fleet: 250 };

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

/** Live frames kept per device to start a new timeline with (its seam). */
const TAIL_MS = 10_000;
const TAIL_FRAMES = 200;

/** A timeline the screen needs. */
export interface Wanted {
  readonly device: string;
  readonly window: TimeWindow;
  readonly config: TimelineConfig;
}

/** Collaborators of the registry. */
export interface TimelinesDeps {
  readonly api: ApiClient;
  readonly now: () => number;
  readonly limits: RedrawLimits;
  /** A slot changed: the store should flush. */
  readonly onChange: () => void;
}

/** Every timeline on screen. */
export class Timelines {
  private readonly deps: TimelinesDeps;
  private readonly queue = new FetchQueue(4);
  private readonly slots = new Map<string, TimelineSlot>();
  private readonly tails = new Map<string, { frame: FrameMessage; at: number }[]>();
  private readonly dirty = new Set<string>();
  private readonly drawnAt = new Map<string, number>();

  constructor(deps: TimelinesDeps) {
    this.deps = deps;
  }

  /** Make the slots match `wanted` (keys `device:<id>`, `spark:<id>`). */
  sync(wanted: ReadonlyMap<string, Wanted>, fleet: Devices, paused: boolean): void {
    for (const [key, slot] of this.slots) {
      if (!wanted.has(key)) {
        slot.dispose();
        this.slots.delete(key);
        this.dirty.delete(key);
        this.drawnAt.delete(key);
      }
    }
    for (const [key, want] of wanted) {
      const slot = this.slots.get(key);
      if (slot === undefined) {
        this.create(key, want, fleet, paused);
      } else if (!sameWindow(slot.state.window, want.window)) {
        slot.setWindow(want.window);
      }
    }
  }

  /** A live frame: kept for new timelines, and given to the device's timelines. */
  frame(frame: FrameMessage, at: number): void {
    const tail = (this.tails.get(frame.device) ?? []).filter((f) => at - f.at <= TAIL_MS).slice(-TAIL_FRAMES + 1);
    tail.push({ frame, at });
    this.tails.set(frame.device, tail);
    for (const key of [`device:${frame.device}`, `spark:${frame.device}`]) {
      this.slots.get(key)?.dispatch({ type: 'frame', frame, at });
    }
  }

  /** Give every timeline an event; a tick (the axis slides) or pause/resume also redraws. */
  broadcast(event: TimelineEvent): void {
    for (const [key, slot] of this.slots) {
      slot.dispatch(event);
      if (event.type === 'tick') {
        this.dirty.add(key); // a live axis slides on even when no reading arrives
      } else if (event.type === 'pause' || event.type === 'resume') {
        this.drawnAt.delete(key); // redraw now: the held view is what was applied until this moment
      }
    }
  }

  /**
   * The views to publish: rebuilt for slots that changed and may redraw, the previous
   * ones otherwise; `later` is when a held-back change may be drawn (ms from now).
   */
  views(previous: Readonly<Record<string, TimelineView>>, now: number): { views: Record<string, TimelineView>; later: number } {
    const views: Record<string, TimelineView> = {};
    let later = Infinity;
    for (const [key, slot] of this.slots) {
      const shown = previous[key];
      const wait = (this.drawnAt.get(key) ?? -Infinity) + this.redrawMs(key) - now;
      if (shown !== undefined && (!this.dirty.has(key) || wait > 0)) {
        views[key] = shown;
        if (this.dirty.has(key)) {
          later = Math.min(later, wait);
        }
        continue;
      }
      views[key] = slot.view(key, now);
      this.drawnAt.set(key, now);
      this.dirty.delete(key);
    }
    return { views, later };
  }

  /** Whether any slot has a change not yet drawn. */
  get changed(): boolean {
    return this.dirty.size > 0;
  }

  /** Dispose of every slot and forget the frames kept. */
  clear(): void {
    for (const slot of this.slots.values()) {
      slot.dispose();
    }
    this.slots.clear();
    this.tails.clear();
    this.dirty.clear();
    this.drawnAt.clear();
  }

  private create(key: string, want: Wanted, fleet: Devices, paused: boolean): void {
    // An offline device sends nothing to wait for: its history is asked for at once.
    const offline = fleet[want.device]?.online === false;
    const slot = new TimelineSlot(
      want.device,
      want.window,
      offline ? { ...want.config, waitMs: 0 } : want.config,
      {
        api: this.deps.api,
        queue: this.queue,
        now: this.deps.now,
        onChange: () => {
          this.dirty.add(key);
          this.deps.onChange();
        },
      },
      paused,
    );
    this.slots.set(key, slot);
    for (const { frame, at } of this.tails.get(want.device) ?? []) {
      slot.dispatch({ type: 'frame', frame, at });
    }
  }

  private redrawMs(key: string): number {
    const { limits } = this.deps;
    if (!key.startsWith('device:')) {
      return limits.sparkline;
    }
    // A live axis is about a thousand pixels of its span: redraw about once a pixel's worth.
    const window = this.slots.get(key)?.state.window;
    const pixel = window?.kind === 'live' && limits.device > 0 ? window.spanMs / 1000 : 0;
    return Math.min(MAX_REDRAW_MS, Math.max(limits.device, pixel));
  }
}
