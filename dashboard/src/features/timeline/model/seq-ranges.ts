/**
 * Sets of sequence numbers as sorted, disjoint, non-adjacent inclusive ranges.
 *
 * A device's readings of one boot arrive mostly in order, so the numbers a timeline
 * has applied collapse to a handful of ranges (one per hole not yet filled). Values
 * are immutable: every change returns a new array.
 */

/** Inclusive `[first, last]`. */
export type SeqRange = readonly [first: number, last: number];

/** A set of sequence numbers. */
export type SeqRanges = readonly SeqRange[];

/** Most ranges kept; beyond it the two oldest merge (an old hole is then taken as filled). */
export const MAX_RANGES = 256;

/** Whether `seq` is in the set. */
export function hasSeq(ranges: SeqRanges, seq: number): boolean {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const range = ranges[mid];
    if (range === undefined) {
      return false;
    }
    if (seq < range[0]) {
      hi = mid - 1;
    } else if (seq > range[1]) {
      lo = mid + 1;
    } else {
      return true;
    }
  }
  return false;
}

/** The set with `[first, last]` added. */
export function addRange(ranges: SeqRanges, first: number, last: number): SeqRanges {
  if (first > last) {
    return ranges;
  }
  const out: SeqRange[] = [];
  let lo = first;
  let hi = last;
  let placed = false;
  for (const range of ranges) {
    if (range[1] < lo - 1) {
      out.push(range);
    } else if (range[0] > hi + 1) {
      if (!placed) {
        out.push([lo, hi]);
        placed = true;
      }
      out.push(range);
    } else {
      lo = Math.min(lo, range[0]);
      hi = Math.max(hi, range[1]);
    }
  }
  if (!placed) {
    out.push([lo, hi]);
  }
  while (out.length > MAX_RANGES) {
    const [a, b] = out;
    if (a === undefined || b === undefined) {
      break;
    }
    out.splice(0, 2, [a[0], b[1]]);
  }
  return out;
}

/** The set with each of `seqs` added (any order). */
export function addSeqs(ranges: SeqRanges, seqs: readonly number[]): SeqRanges {
  if (seqs.length === 0) {
    return ranges;
  }
  const sorted = [...seqs].sort((a, b) => a - b);
  let result = ranges;
  let start = sorted[0] ?? 0;
  let end = start;
  for (let i = 1; i < sorted.length; i += 1) {
    const seq = sorted[i] ?? 0;
    if (seq <= end + 1) {
      end = Math.max(end, seq);
    } else {
      result = addRange(result, start, end);
      start = seq;
      end = seq;
    }
  }
  return addRange(result, start, end);
}

/** The parts of `[first, last]` that are not in the set. */
export function missing(ranges: SeqRanges, first: number, last: number): SeqRange[] {
  const out: SeqRange[] = [];
  let next = first;
  for (const [a, b] of ranges) {
    if (b < next) {
      continue;
    }
    if (a > last) {
      break;
    }
    if (a > next) {
      out.push([next, a - 1]);
    }
    next = b + 1;
    if (next > last) {
      return out;
    }
  }
  if (next <= last) {
    out.push([next, last]);
  }
  return out;
}
