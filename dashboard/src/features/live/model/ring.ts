/**
 * Bounded, immutable point buffers: one per chart series.
 *
 * A push returns a new ring holding at most `capacity` points, the newest ones, so a
 * dashboard left open for days uses the same memory as one opened a minute ago.
 */

/**
 * `[epoch ms, value]`; a `null` value breaks the line (a gap, never interpolated).
 * Points are never mutated once made (ECharts' types want a mutable tuple).
 */
export type Point = [ts: number, value: number | null];

/** The newest points of one series, oldest first. */
export interface Ring {
  readonly capacity: number;
  readonly points: readonly Point[];
}

/** A ring that stays empty: what a chart shows before its device has a stream. */
export const NO_POINTS: Ring = { capacity: 1, points: [] };

/** An empty ring. */
export function emptyRing(capacity: number): Ring {
  if (!Number.isInteger(capacity) || capacity < 1) {
    throw new RangeError(`ring capacity must be a positive integer, not ${String(capacity)}`);
  }
  return { capacity, points: [] };
}

/** Append `added` (oldest first), keeping the newest `capacity` points. */
export function pushPoints(ring: Ring, added: readonly Point[]): Ring {
  if (added.length === 0) {
    return ring;
  }
  const all = ring.points.concat(added);
  const points = all.length > ring.capacity ? all.slice(all.length - ring.capacity) : all;
  return { capacity: ring.capacity, points };
}

/** Number of real readings in the ring (line breaks not counted). */
export function countValues(ring: Ring): number {
  let count = 0;
  for (const point of ring.points) {
    if (point[1] !== null) {
      count += 1;
    }
  }
  return count;
}
