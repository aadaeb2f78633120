import { describe, expect, it } from 'vitest';

import { SeriesBuffer } from './buffer';
import { buildColumns } from './columns';

function buffer(bucketMs: number, times: readonly number[]): SeriesBuffer {
  const b = new SeriesBuffer(['temperature']);
  b.reset(bucketMs, 0);
  b.fold(times.map((ts, i) => ({ ts, values: { temperature: i } })));
  return b;
}

describe('chart columns', () => {
  it('place raw readings at their time and buckets at their centre', () => {
    expect(buildColumns(buffer(0, [1000, 2000]), []).x).toEqual([1000, 2000]);
    expect(buildColumns(buffer(1000, [1200, 2200]), []).x).toEqual([1500, 2500]);
  });

  it('draw a bucket still filling no later than its newest reading', () => {
    expect(buildColumns(buffer(10_000, [1000, 2000]), [], 2000).x).toEqual([2000]);
  });

  it('break every line with a NaN row where a gap lies between two entries', () => {
    const columns = buildColumns(buffer(0, [1000, 2000, 9000, 10_000]), [[2000, 9000]]);
    expect(columns.x).toEqual([1000, 2000, 5500, 9000, 10_000]);
    expect(columns.series.temperature?.mean).toEqual([0, 1, NaN, 2, 3]);
    expect(columns.count).toEqual([1, 1, NaN, 1, 1]);
    expect(columns.entries).toBe(4);
    expect(columns.readings).toBe(4);
  });

  it('never break for a gap inside one bucket, nor twice for one gap', () => {
    const columns = buildColumns(buffer(10_000, [1000, 9000, 15_000, 45_000]), [
      [2000, 8000],
      [16_000, 44_000],
    ]);
    expect(columns.series.temperature?.mean).toEqual([0.5, 2, NaN, 3]);
  });

  it('carry min and the band height max - min', () => {
    const b = new SeriesBuffer(['temperature']);
    b.reset(1000, 0);
    b.fold([
      { ts: 100, values: { temperature: 20 } },
      { ts: 200, values: { temperature: 23 } },
    ]);
    expect(buildColumns(b, []).series.temperature).toEqual({ mean: [21.5], min: [20], span: [3] });
  });
});
