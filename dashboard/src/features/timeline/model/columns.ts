/**
 * Chart columns from a {@link SeriesBuffer}: x positions and, per channel, the mean, the
 * minimum and the band height (max - min), with a row of NaN wherever a gap lies
 * between two entries, so every line and band breaks there instead of bridging it.
 *
 * Built once per published change and shared by every chart of the timeline; ECharts
 * reads them as a keyed-column dataset without a copy into `[x, y]` pairs.
 */
import type { TimeRange } from '@/lib/contract';

import type { SeriesBuffer } from './buffer';

/** One channel's columns, aligned with {@link ChartColumns.x}. */
export interface SeriesColumns {
  readonly mean: readonly number[];
  readonly min: readonly number[];
  /** `max - min`: the band drawn on top of `min`. */
  readonly span: readonly number[];
}

/** Everything a timeline's charts draw. */
export interface ChartColumns {
  /** Bucket centres (reading times when raw), ascending; NaN rows sit inside gaps. */
  readonly x: readonly number[];
  /** Readings per entry (NaN in gap rows). */
  readonly count: readonly number[];
  readonly series: Readonly<Record<string, SeriesColumns>>;
  /** Readings behind the columns. */
  readonly readings: number;
  /** Entries (buckets or raw readings), gap rows not counted. */
  readonly entries: number;
}

/** Columns with nothing to draw. */
export const NO_COLUMNS: ChartColumns = { x: [], count: [], series: {}, readings: 0, entries: 0 };

/**
 * Build the columns.
 *
 * @param buffer The data.
 * @param breaks Sorted, disjoint ranges where lines must break (gaps and unfilled holes).
 * @param newest Time of the newest reading: a bucket still filling is drawn no later than it.
 */
export function buildColumns(buffer: SeriesBuffer, breaks: readonly TimeRange[], newest = Infinity): ChartColumns {
  const width = buffer.bucketMs;
  const x: number[] = [];
  const count: number[] = [];
  const cols = buffer.channels.map(() => ({ mean: [] as number[], min: [] as number[], span: [] as number[] }));
  let gap = 0;
  let previousEnd = -Infinity;
  for (let i = 0; i < buffer.size; i += 1) {
    const start = buffer.t[i] ?? 0;
    // Skip the breaks that end before this entry's predecessor; break if one lies in between.
    while (gap < breaks.length && (breaks[gap]?.[1] ?? 0) <= previousEnd) {
      gap += 1;
    }
    const next = breaks[gap];
    if (i > 0 && next !== undefined && next[0] < start) {
      x.push((previousEnd + start) / 2);
      count.push(NaN);
      for (const col of cols) {
        col.mean.push(NaN);
        col.min.push(NaN);
        col.span.push(NaN);
      }
    }
    x.push(Math.max(start, Math.min(start + width / 2, newest)));
    count.push(buffer.n[i] ?? 0);
    buffer.channels.forEach((name, c) => {
      const col = cols[c];
      if (col === undefined) {
        return;
      }
      const { mean, min, max } = buffer.stats(name, i);
      col.mean.push(mean);
      col.min.push(min);
      col.span.push(max - min);
    });
    previousEnd = start + width;
  }
  const series: Record<string, SeriesColumns> = {};
  buffer.channels.forEach((name, c) => {
    const col = cols[c];
    if (col !== undefined) {
      series[name] = col;
    }
  });
  return { x, count, series, readings: buffer.readings, entries: buffer.size };
}
