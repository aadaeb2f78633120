/**
 * The state, events and effects of the timeline reducer (see `timeline.ts`), and the
 * scratch a step works on.
 */
import type { FrameMessage, HistoryAnswer, TimeRange } from '@/lib/contract';

import type { Sample } from './buffer';
import type { SeqRanges } from './seq-ranges';
import type { TimeWindow } from './windows';

/** Limits and timings of a timeline. */
export interface TimelineConfig {
  /** Channels asked from history and kept. */
  readonly channels: readonly string[];
  /** Buckets asked for per window. */
  readonly points: number;
  /** How old the first queued live reading must be before history is asked up to it. */
  readonly settleMs: number;
  /** How long a live window waits for a first reading before asking history up to now. */
  readonly waitMs: number;
  /** After a reconnect, how long a quiet device waits before its missed range is fetched. */
  readonly catchUpMs: number;
  /** Readings held while loading or paused; beyond it the oldest frames give way. */
  readonly maxQueuedReadings: number;
  /** Delays before the 2nd, 3rd, ... attempt of a failed or incomplete fetch. */
  readonly retryMs: readonly number[];
}

/** The newest applied reading; `boot`/`seq` are null after a bucketed catch-up. */
export interface Head {
  readonly ts: number;
  readonly boot: string | null;
  readonly seq: number | null;
}

/** A range of missing readings to fetch from history. */
export interface Hole {
  readonly id: number;
  /** Time of the reading before the hole (exclusive). */
  readonly from: number;
  /** Time of the reading after it (exclusive); null while open (a catch-up up to now). */
  readonly to: number | null;
  /** Boot and `[first, last]` of the missing `seq` when known. */
  readonly boot: string | null;
  readonly first: number;
  readonly last: number;
  readonly attempts: number;
  readonly inFlight: boolean;
  readonly dueAt: number;
}

/** Something waiting for the queue to drain. */
export type Pending =
  | { readonly kind: 'frame'; readonly frame: FrameMessage; readonly at: number }
  | { readonly kind: 'answer'; readonly id: number; readonly answer: HistoryAnswer };

/** Everything a timeline knows apart from its buffer. */
export interface TimelineState {
  readonly window: TimeWindow;
  readonly phase: 'waiting' | 'loading' | 'ready';
  readonly openedAt: number;
  /** The base request in flight. */
  readonly baseId: number | null;
  readonly baseAttempts: number;
  readonly retryAt: number;
  /** The range the base answer covers. */
  readonly covered: TimeRange | null;
  readonly error: string | null;
  readonly bucketMs: number;
  /** Bucketed base only: live readings before this time are already in it. */
  readonly liveFrom: number;
  readonly head: Head | null;
  /** Boot -> sequence numbers applied since the base. */
  readonly applied: Readonly<Record<string, SeqRanges>>;
  readonly holes: readonly Hole[];
  readonly gaps: readonly TimeRange[];
  readonly queue: readonly Pending[];
  readonly queuedReadings: number;
  /** Readings dropped from a full queue (they come back through holes). */
  readonly overflowed: number;
  readonly paused: boolean;
  readonly pausedAt: number | null;
  /** When the socket came back, until a frame (or the catch-up) settles it. */
  readonly reconnectedAt: number | null;
  /** Typical time between readings, ms. */
  readonly intervalMs: number | null;
  readonly nextId: number;
}

/** Inputs; `at` is the browser's clock. */
export type TimelineEvent =
  | { readonly type: 'frame'; readonly frame: FrameMessage; readonly at: number }
  | { readonly type: 'answer'; readonly id: number; readonly answer: HistoryAnswer; readonly at: number }
  | { readonly type: 'failed'; readonly id: number; readonly error: string; readonly at: number }
  | { readonly type: 'tick'; readonly at: number }
  | { readonly type: 'resubscribed'; readonly at: number }
  | { readonly type: 'pause'; readonly at: number }
  | { readonly type: 'resume'; readonly at: number };

/** Outputs for the adapter, in order. */
export type TimelineEffect =
  | { readonly type: 'fetch'; readonly id: number; readonly since: number; readonly until: number; readonly points: number }
  | { readonly type: 'reset'; readonly bucketMs: number; readonly origin: number }
  | { readonly type: 'fold'; readonly samples: readonly Sample[] }
  | { readonly type: 'merge'; readonly answer: HistoryAnswer; readonly indices: readonly number[] }
  | { readonly type: 'trim'; readonly before: number };

/** A step's result. */
export interface Step {
  readonly state: TimelineState;
  readonly effects: readonly TimelineEffect[];
}

/** Mutable scratch of one step. */
export interface Draft {
  s: TimelineState;
  readonly effects: TimelineEffect[];
  readonly config: TimelineConfig;
  readonly at: number;
}

/** Delay before attempt `attempt + 1` (1-based count of failures so far). */
export function retryDelay(config: TimelineConfig, attempts: number): number | null {
  return config.retryMs[attempts - 1] ?? null;
}

/** Emit a history request; returns its id. */
export function fetchRange(d: Draft, since: number, until: number, points: number): number {
  const id = d.s.nextId;
  d.s = { ...d.s, nextId: id + 1 };
  d.effects.push({ type: 'fetch', id, since, until, points });
  return id;
}

/** The rows of a raw answer with their keys. */
export function rawRows(answer: HistoryAnswer): { i: number; ts: number; seq: number; boot: string }[] {
  const { seq, boot } = answer;
  if (seq === null || boot === null) {
    return [];
  }
  return answer.deviceTs.map((ts, i) => ({ i, ts, seq: seq[i] ?? 0, boot: boot[i] ?? '' }));
}
