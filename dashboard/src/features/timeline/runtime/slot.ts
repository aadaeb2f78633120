/**
 * The adapter around one timeline: it feeds the pure reducer its events, carries out
 * the effects (history requests through the shared queue, buffer updates, timers) and
 * turns reducer state plus buffer into the immutable view the charts render.
 *
 * It never tells anyone that it changed: the runtime steps it and knows. What a slot
 * starts — a request, a timer — comes back later as a new event through `emit`, which
 * enters the runtime like a frame from the socket does.
 */
import type { ApiClient } from '@/lib/api';
import type { TimeRange } from '@/lib/contract';

import { SeriesBuffer } from '../model/buffer';
import type { Band } from '../model/chart-option';
import { buildColumns, type ChartColumns } from '../model/columns';
import {
  nextWakeup,
  openTimeline,
  type Step,
  stepTimeline,
  type TimelineConfig,
  type TimelineEffect,
  type TimelineEvent,
  type TimelineState,
} from '../model/timeline';
import type { TimelineView } from '../model/view';
import { addGap, type TimeWindow } from '../model/windows';
import type { FetchQueue } from './fetch-queue';

/** Collaborators of a slot. */
export interface SlotDeps {
  readonly api: Pick<ApiClient, 'history'>;
  readonly queue: FetchQueue;
  readonly now: () => number;
  /** An event the slot's own requests and timers produced (an answer, a failure, a tick). */
  readonly emit: (event: TimelineEvent) => void;
}

/** Raw readings beyond this many per bucket-worth of points are re-bucketed. */
const CAPACITY_FACTOR = 3;

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** One timeline with its buffer and its requests. */
export class TimelineSlot {
  readonly device: string;
  readonly config: TimelineConfig;
  readonly buffer: SeriesBuffer;
  state: TimelineState;
  private readonly deps: SlotDeps;
  private readonly requests = new Map<number, AbortController>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private disposed = false;
  private cache: { version: number; breaks: string; columns: ChartColumns; bands: readonly Band[] } | null = null;

  constructor(device: string, window: TimeWindow, config: TimelineConfig, deps: SlotDeps, paused: boolean) {
    this.device = device;
    this.config = config;
    this.deps = deps;
    this.buffer = new SeriesBuffer(config.channels);
    const opened = openTimeline(window, config, deps.now());
    this.state = opened.state;
    this.run(opened);
    if (paused) {
      this.step({ type: 'pause', at: deps.now() });
    }
  }

  /** Feed one event to the reducer and carry out its effects. */
  step(event: TimelineEvent): void {
    if (!this.disposed) {
      this.run(stepTimeline(this.state, event, this.config));
    }
  }

  /**
   * Show another window. The buffer keeps the old data on screen until the new
   * window's history arrives; requests of the old window are cancelled.
   */
  setWindow(window: TimeWindow): void {
    this.abortAll();
    const now = this.deps.now();
    const { paused } = this.state;
    const opened = openTimeline(window, this.config, now);
    this.state = opened.state;
    this.run(opened);
    if (paused) {
      this.step({ type: 'pause', at: now });
    }
  }

  /** Cancel requests and timers; the slot ignores everything afterwards. */
  dispose(): void {
    this.disposed = true;
    this.abortAll();
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }

  /** The immutable view of the current state; columns and bands are rebuilt only when they changed. */
  view(key: string, now: number): TimelineView {
    const s = this.state;
    const missing = s.holes.filter((h) => h.to !== null).map((h): TimeRange => [h.from, h.to ?? h.from]);
    const breaks = missing.reduce(addGap, [...s.gaps]);
    const breaksKey = `${breaks.map(([a, b]) => `${String(a)}-${String(b)}`).join(',')}|${String(missing.length)}`;
    let cache = this.cache;
    if (cache?.version !== this.buffer.version || cache.breaks !== breaksKey) {
      const bands = cache?.breaks === breaksKey ? cache.bands : [
        ...s.gaps.map((range): Band => ({ range, kind: 'gap' })),
        ...missing.map((range): Band => ({ range, kind: 'missing' })),
      ];
      cache = {
        version: this.buffer.version,
        breaks: breaksKey,
        columns: buildColumns(this.buffer, breaks, s.head?.ts ?? s.liveFrom),
        bands,
      };
      this.cache = cache;
    }
    return {
      key,
      device: this.device,
      window: s.window,
      phase: s.phase,
      error: s.error,
      bucketMs: this.buffer.bucketMs,
      columns: cache.columns,
      bands: cache.bands,
      holes: s.holes.length,
      queued: s.queuedReadings,
      first: this.buffer.t[0] ?? null,
      lastTs: s.head?.ts ?? null,
      drawnAt: s.pausedAt ?? now,
    };
  }

  private run(step: Step): void {
    this.state = step.state;
    for (const effect of step.effects) {
      this.execute(effect);
    }
    this.keepWithinCapacity();
    this.schedule();
  }

  private execute(effect: TimelineEffect): void {
    switch (effect.type) {
      case 'fetch':
        this.fetch(effect.id, effect.since, effect.until, effect.points);
        return;
      case 'reset':
        this.buffer.reset(effect.bucketMs, effect.origin);
        return;
      case 'fold':
        this.buffer.fold(effect.samples);
        return;
      case 'merge':
        this.buffer.merge(effect.answer, effect.indices);
        return;
      case 'trim':
        this.buffer.trimBefore(effect.before);
        return;
    }
  }

  private keepWithinCapacity(): void {
    const { window } = this.state;
    if (window.kind !== 'live' || this.buffer.size <= this.config.points * CAPACITY_FACTOR) {
      return;
    }
    const bucketMs = Math.max(1000, Math.ceil(window.spanMs / this.config.points / 1000) * 1000);
    if (bucketMs > this.buffer.bucketMs) {
      this.buffer.coarsen(bucketMs);
    }
  }

  private fetch(id: number, since: number, until: number, points: number): void {
    const controller = new AbortController();
    this.requests.set(id, controller);
    const { signal } = controller;
    const query = { since, until, points, channels: this.config.channels };
    this.deps.queue
      .run(() => this.deps.api.history(this.device, query, signal), signal)
      .then(
        (answer) => {
          this.requests.delete(id);
          if (!this.disposed) {
            this.deps.emit({ type: 'answer', id, answer, at: this.deps.now() });
          }
        },
        (error: unknown) => {
          this.requests.delete(id);
          if (!signal.aborted && !this.disposed) {
            this.deps.emit({ type: 'failed', id, error: describe(error), at: this.deps.now() });
          }
        },
      );
  }

  private abortAll(): void {
    for (const controller of this.requests.values()) {
      controller.abort();
    }
    this.requests.clear();
  }

  private schedule(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const at = nextWakeup(this.state, this.config);
    if (at !== null && !this.disposed) {
      this.timer = setTimeout(
        () => {
          this.timer = null;
          this.deps.emit({ type: 'tick', at: this.deps.now() });
        },
        Math.max(0, at - this.deps.now()),
      );
    }
  }
}
