/** Time windows, window presets and the arithmetic of gap ranges: pure helpers. */
import type { TimeRange } from '@/lib/contract';

/** What a chart shows: the last `spanMs` (following live data) or a fixed range. */
export type TimeWindow =
  | { readonly kind: 'live'; readonly spanMs: number }
  | { readonly kind: 'fixed'; readonly since: number; readonly until: number };

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The window choices offered, by URL name. */
export const PRESETS: readonly { readonly name: string; readonly label: string; readonly spanMs: number }[] = [
  { name: '15m', label: '15 min', spanMs: 15 * MINUTE },
  { name: '1h', label: '1 h', spanMs: HOUR },
  { name: '24h', label: '24 h', spanMs: DAY },
  { name: '7d', label: '7 d', spanMs: 7 * DAY },
];

/** The default window: the last 15 minutes, live. */
export const DEFAULT_WINDOW: TimeWindow = { kind: 'live', spanMs: 15 * MINUTE };

/** `[since, until)` of a window at time `now` (a fixed window never reaches past now). */
export function windowRange(window: TimeWindow, now: number): [number, number] {
  if (window.kind === 'live') {
    return [now - window.spanMs, now];
  }
  return [window.since, Math.max(window.since + 1, Math.min(window.until, now))];
}

/** Whether two windows are the same. */
export function sameWindow(a: TimeWindow, b: TimeWindow): boolean {
  if (a.kind === 'live' || b.kind === 'live') {
    return a.kind === b.kind && a.kind === 'live' && b.kind === 'live' && a.spanMs === b.spanMs;
  }
  return a.since === b.since && a.until === b.until;
}

/** A running estimate of the time between consecutive readings (exponential average). */
export function estimateInterval(previous: number | null, sample: number): number {
  if (!Number.isFinite(sample) || sample < 0) {
    return previous ?? 0;
  }
  return previous === null ? sample : previous + (sample - previous) / 8;
}

/** `gaps` with `gap` added, kept sorted and merged where they overlap. */
export function addGap(gaps: readonly TimeRange[], gap: TimeRange): TimeRange[] {
  const [from, to] = gap;
  if (to <= from) {
    return [...gaps];
  }
  const out: TimeRange[] = [];
  let lo = from;
  let hi = to;
  let placed = false;
  for (const g of gaps) {
    if (g[1] < lo) {
      out.push(g);
    } else if (g[0] > hi) {
      if (!placed) {
        out.push([lo, hi]);
        placed = true;
      }
      out.push(g);
    } else {
      lo = Math.min(lo, g[0]);
      hi = Math.max(hi, g[1]);
    }
  }
  if (!placed) {
    out.push([lo, hi]);
  }
  return out;
}

/** The parts of `gaps` inside `[from, to]`. */
export function clipGaps(gaps: readonly TimeRange[], from: number, to: number): TimeRange[] {
  return gaps
    .map(([a, b]): TimeRange => [Math.max(a, from), Math.min(b, to)])
    .filter(([a, b]) => b > a);
}

/** Stretches between consecutive times (sorted) longer than `threshold`. */
export function detectGaps(times: readonly number[], threshold: number): TimeRange[] {
  const out: TimeRange[] = [];
  for (let i = 1; i < times.length; i += 1) {
    const a = times[i - 1] ?? 0;
    const b = times[i] ?? 0;
    if (b - a > threshold) {
      out.push([a, b]);
    }
  }
  return out;
}
