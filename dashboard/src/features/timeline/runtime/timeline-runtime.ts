/**
 * The timeline feature's runtime: every timeline on screen, the live frames that feed
 * them, the clock, pause and the feature's one store.
 *
 * Components open the timelines they show (`hooks.ts`); each lives in a
 * {@link TimelineSlot} that steps the pure reducer (`model/timeline.ts`) and carries out
 * its effects. Every event — a frame or a reconnect from the socket, a history answer, a
 * timer, the clock, pause — enters through one method, which steps the slot and marks it
 * changed. Once per animation frame the runtime draws: it rebuilds the views of the
 * changed timelines whose redraw limit allows it and publishes them with the clock;
 * what the limit holds back is drawn when it allows. The last seconds of frames per
 * device are kept, so a timeline opened now joins history to live data at once.
 */
import type { ApiClient } from '@/lib/api';
import type { LiveEvent, LiveFeed } from '@/lib/live-socket';
import type { FrameMessage } from '@/lib/contract';
import { createStore, FrameBatch, type FrameScheduler, type Store, type StoreWriter } from '@/lib/store';

import { DEVICE_CHANNELS } from '../model/groups';
import type { TimelineEvent } from '../model/timeline';
import type { TimelineView } from '../model/view';
import { sameWindow } from '../model/windows';
import {
  redrawMs,
  TIMELINE_REDRAW_MS,
  timelineConfig,
  timelineKey,
  type TimelineKind,
  type TimelineRedrawLimits,
  type TimelineRequest,
} from './config';
import { FetchQueue } from './fetch-queue';
import { TimelineSlot } from './slot';

/** What the timelines' components render. */
export interface TimelinesState {
  readonly paused: boolean;
  /** The time the charts show as "now": frozen while paused. */
  readonly clock: number;
  /** Views by key: `device:<id>` and `spark:<id>` ({@link timelineKey}). */
  readonly views: Readonly<Record<string, TimelineView>>;
  /** Readings waiting in the views (history loading, or paused). */
  readonly queued: number;
}

/** Collaborators and limits of {@link TimelineRuntime}. */
export interface TimelineRuntimeOptions {
  readonly api: Pick<ApiClient, 'history' | 'exportUrl'>;
  readonly feed: LiveFeed;
  readonly schedule: FrameScheduler;
  readonly now: () => number;
  /** Period of the clock tick (sliding windows, relative times), ms. */
  readonly tickMs?: number;
  /** Least time between two redraws (0: every animation frame). */
  readonly redrawMs?: TimelineRedrawLimits;
}

/** One open timeline and its drawing. */
interface Entry {
  readonly key: string;
  readonly kind: TimelineKind;
  readonly slot: TimelineSlot;
  /** Components showing it; at 0 it is closed (unless opened again in the same task). */
  holders: number;
  /** Changed since its view was last built. */
  dirty: boolean;
  /** When its view was last built; null draws it at the next frame whatever the limit. */
  drawnAt: number | null;
}

/** Live frames kept per device to start a new timeline with (its seam). */
const TAIL_MS = 10_000;
const TAIL_FRAMES = 200;

/** History requests in flight at most: a fleet opening at once asks a few at a time. */
const CONCURRENT_FETCHES = 4;

/** The name under which the timelines ask the socket for devices. */
const OWNER = 'timelines';

/** The timelines' data: start it, open what is on screen, read its store. */
export class TimelineRuntime {
  private readonly options: TimelineRuntimeOptions;
  private readonly writer: StoreWriter<TimelinesState>;
  private readonly frames: FrameBatch;
  private readonly queue = new FetchQueue(CONCURRENT_FETCHES);
  private readonly entries = new Map<string, Entry>();
  private readonly tails = new Map<string, { frame: FrameMessage; at: number }[]>();
  private paused = false;
  private pausedAt = 0;
  private unlisten: (() => void) | null = null;
  private ticker: ReturnType<typeof setInterval> | null = null;
  private later: ReturnType<typeof setTimeout> | null = null;
  private wasDown = false;
  private resubscribePending = false;

  constructor(options: TimelineRuntimeOptions) {
    this.options = options;
    this.writer = createStore<TimelinesState>({ paused: false, clock: options.now(), views: {}, queued: 0 });
    this.frames = new FrameBatch(options.schedule, () => {
      this.draw();
    });
  }

  /** What the UI renders. */
  get store(): Store<TimelinesState> {
    return this.writer;
  }

  /** Take live frames and reconnects from the socket, and start the clock. */
  start(): void {
    if (this.unlisten !== null) {
      return;
    }
    this.unlisten = this.options.feed.listen((event) => {
      this.onLive(event);
    });
    this.ticker = setInterval(() => {
      this.broadcast({ type: 'tick', at: this.options.now() });
      this.frames.request(); // the clock moves even with no timeline open
    }, this.options.tickMs ?? 1000);
  }

  /** Stop listening and the clock, and forget the frames kept; open timelines stay with their holders. */
  stop(): void {
    this.unlisten?.();
    this.unlisten = null;
    if (this.ticker !== null) {
      clearInterval(this.ticker);
      this.ticker = null;
    }
    if (this.later !== null) {
      clearTimeout(this.later);
      this.later = null;
    }
    this.tails.clear();
    this.wasDown = this.resubscribePending = false;
  }

  /**
   * Keep a timeline open; returns its release. A release followed by an open of the same
   * timeline in the same task (a new window, React's StrictMode check) keeps it and its
   * buffer: a new window cancels the old window's requests and shows the old data until
   * the new history arrives.
   */
  open(request: TimelineRequest): () => void {
    const key = timelineKey(request.kind, request.device);
    const entry = this.entries.get(key) ?? this.create(key, request);
    if (!sameWindow(entry.slot.state.window, request.window)) {
      entry.slot.setWindow(request.window);
      this.changed(entry);
    }
    entry.holders += 1;
    let released = false;
    return () => {
      if (released) {
        return;
      }
      released = true;
      entry.holders -= 1;
      queueMicrotask(() => {
        this.closeIfUnheld(entry);
      });
    };
  }

  /** Freeze the charts; data keeps arriving and waits. */
  pause(): void {
    this.setPaused(true);
  }

  /** Apply everything that arrived while paused and follow live data again. */
  resume(): void {
    this.setPaused(false);
  }

  /** The URL of a raw CSV export of every channel. */
  exportUrl(device: string, since: number, until: number): string {
    return this.options.api.exportUrl(device, { since, until, channels: DEVICE_CHANNELS }, 'csv');
  }

  private get limits(): TimelineRedrawLimits {
    return this.options.redrawMs ?? TIMELINE_REDRAW_MS;
  }

  private create(key: string, request: TimelineRequest): Entry {
    const config = timelineConfig(request.kind);
    // An offline device sends nothing to wait for: its history is asked for at once.
    const slot = new TimelineSlot(
      request.device,
      request.window,
      request.offline ? { ...config, waitMs: 0 } : config,
      {
        api: this.options.api,
        queue: this.queue,
        now: this.options.now,
        emit: (event) => {
          this.dispatch(entry, event);
        },
      },
      this.paused,
    );
    const entry: Entry = { key, kind: request.kind, slot, holders: 0, dirty: true, drawnAt: null };
    this.entries.set(key, entry);
    for (const { frame, at } of this.tails.get(request.device) ?? []) {
      slot.step({ type: 'frame', frame, at });
    }
    this.stream();
    this.frames.request();
    return entry;
  }

  private closeIfUnheld(entry: Entry): void {
    if (entry.holders > 0 || this.entries.get(entry.key) !== entry) {
      return;
    }
    entry.slot.dispose();
    this.entries.delete(entry.key);
    this.stream();
    this.frames.request();
  }

  /** The one way an event reaches a timeline. */
  private dispatch(entry: Entry, event: TimelineEvent): void {
    if (this.entries.get(entry.key) !== entry) {
      return;
    }
    entry.slot.step(event);
    this.changed(entry);
  }

  private changed(entry: Entry): void {
    entry.dirty = true;
    this.frames.request();
  }

  /** Give every timeline an event; pause and resume also redraw at once. */
  private broadcast(event: TimelineEvent): void {
    for (const entry of this.entries.values()) {
      if (event.type === 'pause' || event.type === 'resume') {
        entry.drawnAt = null; // the held view is what was applied until this moment
      }
      this.dispatch(entry, event);
    }
  }

  private setPaused(paused: boolean): void {
    if (this.paused === paused) {
      return;
    }
    const at = this.options.now();
    this.paused = paused;
    this.pausedAt = at;
    this.broadcast({ type: paused ? 'pause' : 'resume', at });
    this.frames.request();
  }

  private onLive(event: LiveEvent): void {
    if (event.kind === 'state') {
      if (event.state === 'reconnecting') {
        this.wasDown = true;
      } else if (event.state === 'live' && this.wasDown) {
        this.wasDown = false;
        this.resubscribePending = true;
      }
    } else if (event.kind === 'message') {
      const { message } = event;
      if (message.type === 'frame') {
        this.frame(message, this.options.now());
      } else if (message.type === 'subscribed' && this.resubscribePending) {
        // The server streams again: a device that stays quiet now gets its missed range fetched.
        this.resubscribePending = false;
        this.broadcast({ type: 'resubscribed', at: this.options.now() });
      }
    }
  }

  /** A live frame: kept for new timelines, and given to the device's timelines. */
  private frame(frame: FrameMessage, at: number): void {
    const tail = (this.tails.get(frame.device) ?? []).filter((f) => at - f.at <= TAIL_MS).slice(-TAIL_FRAMES + 1);
    tail.push({ frame, at });
    this.tails.set(frame.device, tail);
    for (const kind of ['device', 'sparkline'] as const) {
      const entry = this.entries.get(timelineKey(kind, frame.device));
      if (entry !== undefined) {
        this.dispatch(entry, { type: 'frame', frame, at });
      }
    }
  }

  private stream(): void {
    this.options.feed.want(OWNER, new Set([...this.entries.values()].map((entry) => entry.slot.device)));
  }

  /**
   * Once per frame: rebuild the views of changed timelines whose redraw limit allows it,
   * keep the others, and publish them with the clock. A change held back is drawn later.
   */
  private draw(): void {
    const now = this.options.now();
    const shown = this.writer.getSnapshot();
    const views: Record<string, TimelineView> = {};
    let changed = Object.keys(shown.views).length !== this.entries.size;
    let later = Infinity;
    let queued = 0;
    for (const [key, entry] of this.entries) {
      const previous = shown.views[key];
      const wait = (entry.drawnAt ?? -Infinity) + redrawMs(entry.kind, entry.slot.state.window, this.limits) - now;
      let view: TimelineView;
      if (previous !== undefined && (!entry.dirty || wait > 0)) {
        view = previous;
        if (entry.dirty) {
          later = Math.min(later, wait);
        }
      } else {
        view = entry.slot.view(key, now);
        entry.drawnAt = now;
        entry.dirty = false;
        changed = true;
      }
      views[key] = view;
      queued += view.queued;
    }
    if (Number.isFinite(later) && this.later === null) {
      this.later = setTimeout(() => {
        this.later = null;
        this.frames.request();
      }, later);
    }
    const clock = this.paused ? this.pausedAt : now;
    if (changed || clock !== shown.clock || this.paused !== shown.paused) {
      this.writer.publish({ paused: this.paused, clock, views: changed ? views : shown.views, queued });
    }
  }
}
