import { describe, expect, it } from 'vitest';

import { addGap, clipGaps, detectGaps, estimateInterval, sameWindow, windowRange } from './windows';

describe('windows', () => {
  it('give a live window the last span up to now, and never let a fixed one reach past now', () => {
    expect(windowRange({ kind: 'live', spanMs: 1000 }, 5000)).toEqual([4000, 5000]);
    expect(windowRange({ kind: 'fixed', since: 1000, until: 9000 }, 5000)).toEqual([1000, 5000]);
  });

  it('compare by kind and range', () => {
    expect(sameWindow({ kind: 'live', spanMs: 1 }, { kind: 'live', spanMs: 1 })).toBe(true);
    expect(sameWindow({ kind: 'live', spanMs: 1 }, { kind: 'fixed', since: 0, until: 1 })).toBe(false);
    expect(sameWindow({ kind: 'fixed', since: 0, until: 1 }, { kind: 'fixed', since: 0, until: 2 })).toBe(false);
  });
});

describe('gap ranges', () => {
  it('stay sorted and merged', () => {
    expect(addGap(addGap([[10, 20]], [30, 40]), [15, 32])).toEqual([[10, 40]]);
    expect(addGap([[30, 40]], [10, 20])).toEqual([
      [10, 20],
      [30, 40],
    ]);
    expect(addGap([], [5, 5])).toEqual([]);
  });

  it('clip to a range', () => {
    expect(clipGaps([[0, 10], [20, 30]], 5, 25)).toEqual([
      [5, 10],
      [20, 25],
    ]);
  });

  it('are stretches longer than the threshold', () => {
    expect(detectGaps([0, 1000, 9000, 10_000], 5000)).toEqual([[1000, 9000]]);
  });

  it('estimate the reading interval, ignoring nonsense', () => {
    expect(estimateInterval(null, 1000)).toBe(1000);
    expect(estimateInterval(1000, 1800)).toBe(1100);
    expect(estimateInterval(1000, -5)).toBe(1000);
  });
});
