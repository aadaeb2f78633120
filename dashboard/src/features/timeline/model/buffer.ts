/**
 * The bounded, columnar store behind one timeline's charts.
 *
 * Entries are buckets on a fixed grid (`origin + k * bucketMs`), or single readings when
 * `bucketMs` is 0, sorted by time. Each keeps its reading count and, per channel, the
 * minimum, maximum, sum and count of values, so a live reading folds into the newest
 * bucket in O(1) and min/max bands stay true extremes. History answers merge in with
 * the same arithmetic, which is why history and live data meet without a seam.
 *
 * The buffer is mutable for speed (one per timeline, owned by the runtime's slot, which
 * applies the effects of the pure timeline reducer to it); `version` changes on every
 * mutation so views know when to rebuild. The window trims it from the front, and
 * {@link SeriesBuffer.coarsen} re-buckets it when raw readings outgrow the capacity.
 */
import type { HistoryAnswer } from '@/lib/contract';

/** One raw reading: device time and channel values. */
export interface Sample {
  readonly ts: number;
  readonly values: Readonly<Record<string, number>>;
}

interface Column {
  readonly min: number[];
  readonly max: number[];
  readonly sum: number[];
  readonly cnt: number[];
}

/** Columnar buckets of a set of channels. */
export class SeriesBuffer {
  readonly channels: readonly string[];
  /** Bucket width in ms; 0 keeps raw readings. */
  bucketMs = 0;
  /** A point of the bucket grid. */
  origin = 0;
  /** Bucket starts (or reading times), ascending. */
  readonly t: number[] = [];
  /** Readings per entry. */
  readonly n: number[] = [];
  /** Incremented on every change. */
  version = 0;
  private readonly columns: Column[];
  private readonly index: ReadonlyMap<string, number>;

  constructor(channels: readonly string[]) {
    this.channels = channels;
    this.columns = channels.map(() => ({ min: [], max: [], sum: [], cnt: [] }));
    this.index = new Map(channels.map((name, i) => [name, i]));
  }

  /** Entries held. */
  get size(): number {
    return this.t.length;
  }

  /** Readings held (the sum of `n`). */
  get readings(): number {
    let total = 0;
    for (const count of this.n) {
      total += count;
    }
    return total;
  }

  /** Empty the buffer and set its grid. */
  reset(bucketMs: number, origin: number): void {
    this.bucketMs = bucketMs;
    this.origin = origin;
    this.t.length = 0;
    this.n.length = 0;
    for (const column of this.columns) {
      column.min.length = column.max.length = column.sum.length = column.cnt.length = 0;
    }
    this.version += 1;
  }

  /** Start of the entry a time falls into. */
  keyOf(ts: number): number {
    if (this.bucketMs === 0) {
      return ts;
    }
    return this.origin + Math.floor((ts - this.origin) / this.bucketMs) * this.bucketMs;
  }

  /** Add raw readings. */
  fold(samples: readonly Sample[]): void {
    for (const sample of samples) {
      const i = this.slot(this.keyOf(sample.ts));
      this.n[i] = (this.n[i] ?? 0) + 1;
      for (const [name, value] of Object.entries(sample.values)) {
        const c = this.index.get(name);
        const column = c === undefined ? undefined : this.columns[c];
        if (column !== undefined) {
          add(column, i, value, value, value, 1);
        }
      }
    }
    if (samples.length > 0) {
      this.version += 1;
    }
  }

  /** Add the rows `indices` of a history answer (buckets, or raw readings). */
  merge(answer: HistoryAnswer, indices: readonly number[]): void {
    for (const row of indices) {
      const t = answer.deviceTs[row];
      const count = answer.n[row];
      if (t === undefined || count === undefined) {
        continue;
      }
      const i = this.slot(this.keyOf(t));
      this.n[i] = (this.n[i] ?? 0) + count;
      for (const [name, series] of Object.entries(answer.series)) {
        const c = this.index.get(name);
        const column = c === undefined ? undefined : this.columns[c];
        const mean = series.mean[row];
        if (column === undefined || mean === null || mean === undefined) {
          continue;
        }
        add(column, i, series.min[row] ?? mean, series.max[row] ?? mean, mean * count, count);
      }
    }
    if (indices.length > 0) {
      this.version += 1;
    }
  }

  /** Drop the entries that end at or before `cutoff`. */
  trimBefore(cutoff: number): void {
    let drop = 0;
    const width = Math.max(1, this.bucketMs);
    while (drop < this.t.length && (this.t[drop] ?? 0) + width <= cutoff) {
      drop += 1;
    }
    if (drop > 0) {
      this.t.splice(0, drop);
      this.n.splice(0, drop);
      for (const column of this.columns) {
        column.min.splice(0, drop);
        column.max.splice(0, drop);
        column.sum.splice(0, drop);
        column.cnt.splice(0, drop);
      }
      this.version += 1;
    }
  }

  /** Re-bucket onto a grid of `bucketMs` (a coarser one), keeping extremes and sums. */
  coarsen(bucketMs: number): void {
    const old = {
      t: [...this.t],
      n: [...this.n],
      columns: this.columns.map((c) => ({ min: [...c.min], max: [...c.max], sum: [...c.sum], cnt: [...c.cnt] })),
    };
    const origin = old.t[0] ?? this.origin;
    this.reset(bucketMs, origin - (((origin % bucketMs) + bucketMs) % bucketMs));
    old.t.forEach((t, row) => {
      const i = this.slot(this.keyOf(t));
      this.n[i] = (this.n[i] ?? 0) + (old.n[row] ?? 0);
      old.columns.forEach((from, c) => {
        const to = this.columns[c];
        const cnt = from.cnt[row] ?? 0;
        if (to !== undefined && cnt > 0) {
          add(to, i, from.min[row] ?? NaN, from.max[row] ?? NaN, from.sum[row] ?? NaN, cnt);
        }
      });
    });
    this.version += 1;
  }

  /** Per entry: the channel's mean, minimum and maximum (NaN where it had no value). */
  stats(name: string, i: number): { mean: number; min: number; max: number } {
    const c = this.index.get(name);
    const column = c === undefined ? undefined : this.columns[c];
    const cnt = column?.cnt[i] ?? 0;
    if (column === undefined || cnt === 0) {
      return { mean: NaN, min: NaN, max: NaN };
    }
    return { mean: (column.sum[i] ?? NaN) / cnt, min: column.min[i] ?? NaN, max: column.max[i] ?? NaN };
  }

  /** Index of the entry starting at `key`, created (in order) when missing. */
  private slot(key: number): number {
    const last = this.t.length - 1;
    const tail = this.t[last];
    if (tail === undefined || key > tail) {
      this.insert(this.t.length, key);
      return this.t.length - 1;
    }
    if (key === tail) {
      return last;
    }
    let lo = 0;
    let hi = last;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.t[mid] ?? 0) < key) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    if (this.t[lo] !== key) {
      this.insert(lo, key);
    }
    return lo;
  }

  private insert(at: number, key: number): void {
    if (at === this.t.length) {
      this.t.push(key);
      this.n.push(0);
      for (const column of this.columns) {
        column.min.push(Infinity);
        column.max.push(-Infinity);
        column.sum.push(0);
        column.cnt.push(0);
      }
      return;
    }
    this.t.splice(at, 0, key);
    this.n.splice(at, 0, 0);
    for (const column of this.columns) {
      column.min.splice(at, 0, Infinity);
      column.max.splice(at, 0, -Infinity);
      column.sum.splice(at, 0, 0);
      column.cnt.splice(at, 0, 0);
    }
  }
}

function add(column: Column, i: number, min: number, max: number, sum: number, count: number): void {
  column.min[i] = Math.min(column.min[i] ?? Infinity, min);
  column.max[i] = Math.max(column.max[i] ?? -Infinity, max);
  column.sum[i] = (column.sum[i] ?? 0) + sum;
  column.cnt[i] = (column.cnt[i] ?? 0) + count;
}
