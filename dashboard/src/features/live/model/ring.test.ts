import { describe, expect, it } from 'vitest';

import { countValues, emptyRing, pushPoints } from './ring';

describe('ring', () => {
  it('keeps the newest points up to its capacity', () => {
    let ring = emptyRing(3);
    ring = pushPoints(ring, [[1, 1], [2, 2]]);
    ring = pushPoints(ring, [[3, 3], [4, null], [5, 5]]);
    expect(ring.points).toEqual([[3, 3], [4, null], [5, 5]]);
  });

  it('counts readings, not line breaks', () => {
    expect(countValues(pushPoints(emptyRing(5), [[1, 1], [2, null], [3, 3]]))).toBe(2);
  });

  it('returns the same ring when nothing is added', () => {
    const ring = emptyRing(2);
    expect(pushPoints(ring, [])).toBe(ring);
  });

  it('never changes the ring it was given', () => {
    const before = pushPoints(emptyRing(2), [[1, 1]]);
    pushPoints(before, [[2, 2], [3, 3]]);
    expect(before.points).toEqual([[1, 1]]);
  });

  it('refuses a capacity below one', () => {
    expect(() => emptyRing(0)).toThrow(RangeError);
  });
});
