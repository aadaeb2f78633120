/**
 * The event reducer of one chart timeline: history snapshot first, then live frames in
 * sequence order, with holes found and filled from history.
 *
 * Pure: `(state, event) -> { state, effects }`, no I/O and no clock (every event
 * carries its time). Effects are data — fetch a range, reset, fold or merge into the
 * {@link SeriesBuffer}, trim — and the feature's runtime carries them out, so the rules
 * below are tested without a network, a browser or a timer.
 *
 * - **Seam.** A live window waits for its first live reading (`settleMs`, or `waitMs`
 *   when the device is quiet) and asks history for everything before it; frames that
 *   arrive meanwhile wait in the queue. A raw answer carries `seq`/`boot`, so the join
 *   is exact by sequence number; a bucketed one is joined by time (`liveFrom`).
 * - **Order.** Within a boot a reading already applied is a duplicate; a jump in `seq`
 *   is a hole between two known readings, fetched at once and again with backoff until
 *   every missing `seq` is in (or given up and drawn as a gap). A new boot opens a hole
 *   between the two boots' readings, fetched once.
 * - **Reconnect.** After the socket comes back, a device that sends again shows its
 *   hole by `seq`; one that stays quiet for `catchUpMs` gets the range since its last
 *   reading fetched.
 * - **Pause.** Frames and hole answers wait in the queue (frames bounded; the oldest
 *   give way and come back as holes), the buffer does not change, and resume replays
 *   the queue in arrival order.
 * - **Honest gaps.** Server-reported gaps, long silences inside a filled hole and holes
 *   given up are kept as `gaps`; the chart breaks its lines there, never interpolates.
 */
import type { FrameMessage, HistoryAnswer } from '@/lib/contract';

import { applyHoleAnswer, holeFailed, newHole, retryDueHoles } from './backfill';
import type { Sample } from './buffer';
import { addRange, addSeqs, hasSeq, type SeqRanges } from './seq-ranges';
import {
  type Draft,
  type Pending,
  rawRows,
  retryDelay,
  type Step,
  fetchRange,
  type TimelineConfig,
  type TimelineEvent,
  type TimelineState,
} from './state';
import { estimateInterval, type TimeWindow, windowRange } from './windows';

export type {
  Head,
  Hole,
  Pending,
  Step,
  TimelineConfig,
  TimelineEffect,
  TimelineEvent,
  TimelineState,
} from './state';
export type { TimeWindow } from './windows';

/** A new timeline; a fixed window asks for its history at once. */
export function openTimeline(window: TimeWindow, config: TimelineConfig, at: number): Step {
  const s: TimelineState = {
    window,
    phase: 'waiting',
    openedAt: at,
    baseId: null,
    baseAttempts: 0,
    // A fixed window (a zoom) waits a moment, so a burst of zoom steps asks once.
    retryAt: window.kind === 'fixed' ? at + config.settleMs : at,
    covered: null,
    error: null,
    bucketMs: 0,
    liveFrom: 0,
    head: null,
    applied: {},
    holes: [],
    gaps: [],
    queue: [],
    queuedReadings: 0,
    overflowed: 0,
    paused: false,
    pausedAt: null,
    reconnectedAt: null,
    intervalMs: null,
    nextId: 1,
  };
  const draft: Draft = { s, effects: [], config, at };
  maybeStartBase(draft);
  return { state: draft.s, effects: draft.effects };
}

/** Apply one event. */
export function stepTimeline(state: TimelineState, event: TimelineEvent, config: TimelineConfig): Step {
  const d: Draft = { s: state, effects: [], config, at: event.at };
  switch (event.type) {
    case 'frame':
      onFrame(d, event.frame);
      break;
    case 'answer':
      onAnswer(d, event.id, event.answer);
      break;
    case 'failed':
      onFailed(d, event.id, event.error);
      break;
    case 'tick':
      onTick(d);
      break;
    case 'resubscribed':
      if (d.s.window.kind === 'live') {
        d.s = { ...d.s, reconnectedAt: d.at };
      }
      break;
    case 'pause':
      if (!d.s.paused) {
        d.s = { ...d.s, paused: true, pausedAt: d.at };
      }
      break;
    case 'resume':
      if (d.s.paused) {
        d.s = { ...d.s, paused: false, pausedAt: null };
        drain(d);
        trim(d);
      }
      break;
  }
  return { state: d.s, effects: d.effects };
}

/** When the timeline next needs a `tick`, or null when only events can move it. */
export function nextWakeup(s: TimelineState, config: TimelineConfig): number | null {
  const times: number[] = [];
  if (s.phase === 'waiting') {
    const first = s.queue.find((p) => p.kind === 'frame');
    const ready = s.window.kind === 'fixed' ? s.retryAt : first !== undefined ? first.at + config.settleMs : s.openedAt + config.waitMs;
    times.push(Math.max(s.retryAt, ready));
  } else if (s.phase === 'ready' && s.window.kind === 'live') {
    for (const hole of s.holes) {
      if (!hole.inFlight) {
        times.push(hole.dueAt);
      }
    }
    if (s.reconnectedAt !== null && !s.paused) {
      times.push(s.reconnectedAt + config.catchUpMs);
    }
  }
  return times.length === 0 ? null : Math.min(...times);
}

function maybeStartBase(d: Draft): void {
  const { s, config, at } = d;
  if (s.phase !== 'waiting' || at < s.retryAt) {
    return;
  }
  let since: number;
  let until: number;
  if (s.window.kind === 'fixed') {
    [since, until] = windowRange(s.window, at);
  } else {
    const first = s.queue.find((p) => p.kind === 'frame');
    if (first !== undefined && at - first.at >= config.settleMs) {
      until = first.frame.readings[0]?.deviceTs ?? at;
    } else if (first === undefined && at - s.openedAt >= config.waitMs) {
      until = at;
    } else {
      return;
    }
    since = Math.min(at, until) - s.window.spanMs;
  }
  const id = fetchRange(d, since, until, config.points);
  d.s = { ...d.s, phase: 'loading', baseId: id };
}

function enqueue(d: Draft, pending: Pending): void {
  const added = pending.kind === 'frame' ? pending.frame.readings.length : 0;
  let queue = [...d.s.queue, pending];
  let count = d.s.queuedReadings + added;
  let overflowed = d.s.overflowed;
  while (count > d.config.maxQueuedReadings) {
    const oldest = queue.findIndex((p) => p.kind === 'frame');
    const dropped = queue[oldest];
    if (dropped?.kind !== 'frame' || queue.length === 1) {
      break;
    }
    queue = queue.filter((_, i) => i !== oldest);
    count -= dropped.frame.readings.length;
    overflowed += dropped.frame.readings.length;
  }
  d.s = { ...d.s, queue, queuedReadings: count, overflowed };
}

function onFrame(d: Draft, frame: FrameMessage): void {
  if (d.s.window.kind === 'fixed') {
    return;
  }
  d.s = { ...d.s, reconnectedAt: null };
  if (d.s.phase !== 'ready' || d.s.paused) {
    enqueue(d, { kind: 'frame', frame, at: d.at });
    maybeStartBase(d);
    return;
  }
  applyFrame(d, frame);
}

function applyFrame(d: Draft, frame: FrameMessage): void {
  const samples: Sample[] = [];
  const seqs: number[] = [];
  let { head, intervalMs } = d.s;
  const applied = d.s.applied[frame.boot] ?? [];
  for (const row of frame.readings) {
    if (hasSeq(applied, row.seq) || seqs.includes(row.seq)) {
      continue; // a duplicate (re-delivery, or already in the history)
    }
    if (head === null && row.deviceTs < d.s.liveFrom) {
      continue; // inside the bucketed history answer
    }
    if (head !== null && head.boot === null && row.deviceTs <= head.ts) {
      continue; // inside a bucketed catch-up
    }
    if (head !== null && head.boot === frame.boot && head.seq !== null) {
      if (row.seq > head.seq + 1) {
        newHole(d, head.ts, row.deviceTs, frame.boot, head.seq + 1, row.seq - 1);
      } else if (row.seq === head.seq + 1) {
        intervalMs = estimateInterval(intervalMs, row.deviceTs - head.ts);
      }
    } else if (head !== null && head.boot !== null && head.boot !== frame.boot && row.deviceTs > head.ts) {
      newHole(d, head.ts, row.deviceTs, null, 0, -1); // a reboot: whatever lies between the two boots
    }
    samples.push({ ts: row.deviceTs, values: row.values });
    seqs.push(row.seq);
    if (head?.boot !== frame.boot || head.seq === null || row.seq > head.seq) {
      head = { ts: row.deviceTs, boot: frame.boot, seq: row.seq };
    }
  }
  if (samples.length === 0) {
    return;
  }
  const holes = d.s.holes.map((h) => (h.to === null ? { ...h, to: samples[0]?.ts ?? d.at } : h));
  d.effects.push({ type: 'fold', samples });
  d.s = {
    ...d.s,
    head,
    intervalMs,
    holes,
    applied: { ...d.s.applied, [frame.boot]: addSeqs(applied, seqs) },
  };
}

function onAnswer(d: Draft, id: number, answer: HistoryAnswer): void {
  if (id === d.s.baseId) {
    applyBase(d, answer);
    return;
  }
  if (!d.s.holes.some((h) => h.id === id && h.inFlight)) {
    return; // an answer to a request this timeline no longer needs
  }
  if (d.s.paused) {
    enqueue(d, { kind: 'answer', id, answer });
    return;
  }
  applyHoleAnswer(d, id, answer);
}

function applyBase(d: Draft, answer: HistoryAnswer): void {
  const rows = rawRows(answer);
  let applied: Record<string, SeqRanges> = {};
  for (const row of rows) {
    applied = { ...applied, [row.boot]: addRange(applied[row.boot] ?? [], row.seq, row.seq) };
  }
  const last = rows[rows.length - 1];
  let intervalMs: number | null = null;
  for (let i = 1; i < rows.length; i += 1) {
    const a = rows[i - 1];
    const b = rows[i];
    if (a !== undefined && b?.boot === a.boot && b.seq === a.seq + 1) {
      intervalMs = estimateInterval(intervalMs, b.ts - a.ts);
    }
  }
  d.effects.push({ type: 'reset', bucketMs: answer.bucketMs, origin: answer.deviceTs[0] ?? answer.sinceDeviceTs });
  d.effects.push({ type: 'merge', answer, indices: answer.deviceTs.map((_, i) => i) });
  d.s = {
    ...d.s,
    phase: 'ready',
    baseId: null,
    baseAttempts: 0,
    error: null,
    covered: [answer.sinceDeviceTs, answer.untilDeviceTs],
    bucketMs: answer.bucketMs,
    liveFrom: answer.untilDeviceTs,
    head: last === undefined ? null : { ts: last.ts, boot: last.boot, seq: last.seq },
    applied,
    holes: [],
    gaps: answer.gapsDeviceTs,
    intervalMs: intervalMs ?? d.s.intervalMs,
  };
  drain(d);
}

function onFailed(d: Draft, id: number, error: string): void {
  if (id === d.s.baseId) {
    const baseAttempts = d.s.baseAttempts + 1;
    const delay = retryDelay(d.config, Math.min(baseAttempts, d.config.retryMs.length)) ?? 0;
    d.s = { ...d.s, phase: 'waiting', baseId: null, baseAttempts, retryAt: d.at + delay, error };
    return;
  }
  const hole = d.s.holes.find((h) => h.id === id && h.inFlight);
  if (hole !== undefined) {
    holeFailed(d, hole, error);
  }
}

function onTick(d: Draft): void {
  if (d.s.phase === 'waiting') {
    maybeStartBase(d);
    return;
  }
  if (d.s.phase !== 'ready' || d.s.window.kind !== 'live') {
    return;
  }
  retryDueHoles(d);
  const { reconnectedAt } = d.s;
  if (d.s.paused) {
    return; // the catch-up waits for resume, so its answer is not held back twice
  }
  if (reconnectedAt !== null && d.at - reconnectedAt >= d.config.catchUpMs) {
    d.s = { ...d.s, reconnectedAt: null };
    newHole(d, d.s.head?.ts ?? d.s.liveFrom - 1, null, null, 0, -1);
  }
  trim(d);
}

function drain(d: Draft): void {
  if (d.s.phase !== 'ready' || d.s.paused || d.s.queue.length === 0) {
    return;
  }
  const queue = d.s.queue;
  d.s = { ...d.s, queue: [], queuedReadings: 0 };
  for (const pending of queue) {
    if (pending.kind === 'frame') {
      applyFrame(d, pending.frame);
    } else {
      applyHoleAnswer(d, pending.id, pending.answer);
    }
  }
}

function trim(d: Draft): void {
  if (d.s.window.kind !== 'live') {
    return;
  }
  const before = d.at - d.s.window.spanMs;
  d.effects.push({ type: 'trim', before });
  const gaps = d.s.gaps.filter(([, to]) => to >= before);
  const holes = d.s.holes.filter((h) => h.to === null || h.to >= before || h.inFlight);
  if (gaps.length !== d.s.gaps.length || holes.length !== d.s.holes.length) {
    d.s = { ...d.s, gaps, holes };
  }
}
