/**
 * Holes: ranges of missing readings between two known ones (or, after a reconnect, from
 * the last known one to now), fetched from history, retried with backoff while `seq`
 * numbers are still missing, and given up as drawn gaps in the end.
 */
import type { HistoryAnswer, TimeRange } from '@/lib/contract';

import { addRange, hasSeq, missing } from './seq-ranges';
import { type Draft, fetchRange, type Hole, rawRows, retryDelay } from './state';
import { addGap, clipGaps, detectGaps } from './windows';

/** A hole fetch asks for raw readings up to this many (a bigger hole comes bucketed). */
const HOLE_POINTS = 10_000;

/** Open a hole and fetch it at once. */
export function newHole(d: Draft, from: number, to: number | null, boot: string | null, first: number, last: number): void {
  const id = fetchRange(d, from + 1, to ?? d.at, Math.max(d.config.points, HOLE_POINTS));
  const hole: Hole = { id, from, to, boot, first, last, attempts: 0, inFlight: true, dueAt: d.at };
  d.s = { ...d.s, holes: [...d.s.holes, hole] };
}

/** Fetch the holes whose retry is due. */
export function retryDueHoles(d: Draft): void {
  for (const hole of d.s.holes) {
    if (!hole.inFlight && hole.dueAt <= d.at) {
      const id = fetchRange(d, hole.from + 1, hole.to ?? d.at, Math.max(d.config.points, HOLE_POINTS));
      d.s = { ...d.s, holes: d.s.holes.map((h) => (h === hole ? { ...h, id, inFlight: true } : h)) };
    }
  }
}

/** Apply the answer to hole `id`: fill it, keep what is still missing, or give up. */
export function applyHoleAnswer(d: Draft, id: number, answer: HistoryAnswer): void {
  const hole = d.s.holes.find((h) => h.id === id);
  if (hole === undefined) {
    return;
  }
  const upper = hole.to ?? Infinity;
  const inside = (ts: number) => ts > hole.from && ts < upper;
  const indices: number[] = [];
  const times: number[] = [];
  let { applied, head } = d.s;
  if (answer.bucketMs === 0) {
    for (const row of rawRows(answer)) {
      const known = applied[row.boot] ?? [];
      if (!inside(row.ts) || hasSeq(known, row.seq)) {
        continue;
      }
      indices.push(row.i);
      times.push(row.ts);
      applied = { ...applied, [row.boot]: addRange(known, row.seq, row.seq) };
      if (hole.to === null && (head === null || row.ts > head.ts)) {
        head = { ts: row.ts, boot: row.boot, seq: row.seq };
      }
    }
  } else {
    answer.deviceTs.forEach((t, i) => {
      if (inside(t)) {
        indices.push(i);
      }
    });
    if (hole.to === null && (head === null || answer.untilDeviceTs - 1 > head.ts)) {
      head = { ts: answer.untilDeviceTs - 1, boot: null, seq: null };
    }
  }
  if (indices.length > 0) {
    d.effects.push({ type: 'merge', answer, indices });
  }
  const end = hole.to ?? answer.untilDeviceTs;
  let gaps = clipGaps(answer.gapsDeviceTs, hole.from, end).reduce(addGap, d.s.gaps);
  let holes = d.s.holes.filter((h) => h.id !== id);
  const remaining = hole.boot === null ? [] : missing(applied[hole.boot] ?? [], hole.first, hole.last);
  if (remaining.length > 0) {
    const attempts = hole.attempts + 1;
    const delay = retryDelay(d.config, attempts);
    if (delay === null) {
      gaps = addGap(gaps, [hole.from, end]); // given up: drawn as a gap from now on
    } else {
      holes = [...holes, { ...hole, attempts, inFlight: false, dueAt: d.at + delay }];
    }
  } else if (hole.boot === null) {
    const threshold = Math.max(5000, 3 * (d.s.intervalMs ?? 0));
    gaps = detectGaps([hole.from, ...times.sort((a, b) => a - b), end], threshold).reduce(addGap, gaps);
  }
  d.s = { ...d.s, applied, head, holes, gaps };
}

/** A hole's fetch failed: retry later, or give up and draw a gap. */
export function holeFailed(d: Draft, hole: Hole, error: string): void {
  const attempts = hole.attempts + 1;
  const delay = retryDelay(d.config, attempts);
  const others = d.s.holes.filter((h) => h.id !== hole.id);
  const gap: TimeRange = [hole.from, hole.to ?? d.at];
  d.s =
    delay === null
      ? { ...d.s, holes: others, gaps: addGap(d.s.gaps, gap), error }
      : { ...d.s, holes: [...others, { ...hole, attempts, inFlight: false, dueAt: d.at + delay }], error };
}
