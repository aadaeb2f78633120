import { describe, expect, it } from 'vitest';

import { bucketedAnswer, rawAnswer, rows, T0 } from '@/test/history';

import { SeriesBuffer } from './buffer';

const sample = (ts: number, temperature: number) => ({ ts, values: { temperature } });

describe('SeriesBuffer', () => {
  it('folds readings into buckets on its grid, keeping count, extremes and mean', () => {
    const buffer = new SeriesBuffer(['temperature', 'humidity']);
    buffer.reset(1000, T0);
    buffer.fold([sample(T0 + 100, 20), sample(T0 + 900, 24), sample(T0 + 1500, 21)]);
    expect(buffer.t).toEqual([T0, T0 + 1000]);
    expect(buffer.n).toEqual([2, 1]);
    expect(buffer.stats('temperature', 0)).toEqual({ mean: 22, min: 20, max: 24 });
    expect(buffer.stats('humidity', 0)).toEqual({ mean: NaN, min: NaN, max: NaN });
  });

  it('keeps raw readings apart and in time order, wherever they arrive', () => {
    const buffer = new SeriesBuffer(['temperature']);
    buffer.fold([sample(T0 + 3000, 3), sample(T0 + 1000, 1)]);
    buffer.fold([sample(T0 + 2000, 2)]);
    expect(buffer.t).toEqual([T0 + 1000, T0 + 2000, T0 + 3000]);
    expect(buffer.t.map((_, i) => buffer.stats('temperature', i).mean)).toEqual([1, 2, 3]);
  });

  it('merges an answer row with what live readings already put in the same bucket', () => {
    const buffer = new SeriesBuffer(['temperature', 'humidity']);
    const answer = bucketedAnswer(rows(0, 3), [T0, T0 + 4000], 5000);
    buffer.reset(5000, answer.deviceTs[0] ?? 0);
    buffer.merge(answer, [0]);
    buffer.fold([sample(T0 + 4000, 30)]);
    expect(buffer.n).toEqual([5]);
    expect(buffer.stats('temperature', 0).max).toBe(30);
    expect(buffer.stats('temperature', 0).mean).toBeCloseTo((20 + 20.1 + 20.2 + 20.3 + 30) / 5, 9);
  });

  it('drops entries that end before the cutoff', () => {
    const buffer = new SeriesBuffer(['temperature']);
    buffer.reset(1000, 0);
    buffer.fold([sample(1500, 1), sample(2500, 2), sample(3500, 3)]);
    buffer.trimBefore(3000);
    expect(buffer.t).toEqual([3000]);
    const version = buffer.version;
    buffer.trimBefore(3000);
    expect(buffer.version).toBe(version);
  });

  it('coarsens raw readings into buckets without losing count, extremes or sums', () => {
    const buffer = new SeriesBuffer(['temperature', 'humidity']);
    const answer = rawAnswer(rows(0, 9), [T0, T0 + 10_000]);
    buffer.merge(answer, answer.deviceTs.map((_, i) => i));
    buffer.coarsen(5000);
    const direct = bucketedAnswer(rows(0, 9), [T0, T0 + 10_000], 5000);
    expect(buffer.t).toEqual(direct.deviceTs);
    expect(buffer.n).toEqual(direct.n);
    expect(buffer.readings).toBe(10);
    direct.deviceTs.forEach((_, i) => {
      expect(buffer.stats('temperature', i).mean).toBeCloseTo(direct.series.temperature?.mean[i] ?? NaN, 9);
      expect(buffer.stats('temperature', i).max).toBe(direct.series.temperature?.max[i]);
    });
  });

  it('ignores channels it does not keep', () => {
    const buffer = new SeriesBuffer(['temperature']);
    buffer.fold([{ ts: T0, values: { temperature: 1, pressure: 1000 } }]);
    expect(buffer.channels).toEqual(['temperature']);
    expect(buffer.readings).toBe(1);
  });
});
