import { describe, expect, it } from 'vitest';

import { addRange, addSeqs, hasSeq, MAX_RANGES, missing } from './seq-ranges';

describe('sequence ranges', () => {
  it('merge overlapping and adjacent ranges', () => {
    expect(addRange(addRange([[1, 3]], 4, 6), 10, 12)).toEqual([
      [1, 6],
      [10, 12],
    ]);
    expect(addRange([[1, 3], [10, 12]], 2, 11)).toEqual([[1, 12]]);
  });

  it('add numbers in any order', () => {
    expect(addSeqs([], [5, 1, 2, 3, 9])).toEqual([
      [1, 3],
      [5, 5],
      [9, 9],
    ]);
  });

  it('answer membership', () => {
    const ranges = addSeqs([], [1, 2, 3, 7]);
    expect([0, 1, 3, 4, 7, 8].map((seq) => hasSeq(ranges, seq))).toEqual([false, true, true, false, true, false]);
  });

  it('list what is missing from a range', () => {
    const ranges = addSeqs([], [3, 4, 8]);
    expect(missing(ranges, 1, 10)).toEqual([
      [1, 2],
      [5, 7],
      [9, 10],
    ]);
    expect(missing(ranges, 3, 4)).toEqual([]);
  });

  it('stay bounded: beyond the limit the oldest ranges merge', () => {
    let ranges = addSeqs([], []);
    for (let i = 0; i < MAX_RANGES + 10; i += 1) {
      ranges = addRange(ranges, i * 10, i * 10);
    }
    expect(ranges.length).toBeLessThanOrEqual(MAX_RANGES);
    expect(hasSeq(ranges, (MAX_RANGES + 9) * 10)).toBe(true);
  });
});
