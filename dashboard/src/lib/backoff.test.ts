import { describe, expect, it } from 'vitest';

import { backoffDelay, type BackoffPolicy, RECONNECT_BACKOFF } from './backoff';

const POLICY: BackoffPolicy = { baseMs: 100, maxMs: 1000, factor: 2 };

describe('backoffDelay', () => {
  it('doubles per attempt, between half and all of the step', () => {
    expect([0, 1, 2, 3].map((a) => backoffDelay(a, POLICY, 0))).toEqual([50, 100, 200, 400]);
    expect([0, 1, 2, 3].map((a) => backoffDelay(a, POLICY, 1))).toEqual([100, 200, 400, 800]);
  });

  it('is capped', () => {
    expect(backoffDelay(30, POLICY, 1)).toBe(1000);
    expect(backoffDelay(1000, RECONNECT_BACKOFF, 0.999)).toBeLessThanOrEqual(RECONNECT_BACKOFF.maxMs);
  });

  it('spreads clients out with jitter', () => {
    expect(backoffDelay(2, POLICY, 0.5)).toBe(300);
  });

  it('treats a negative attempt and out-of-range randomness as the edges', () => {
    expect(backoffDelay(-3, POLICY, -1)).toBe(50);
    expect(backoffDelay(0, POLICY, 7)).toBe(100);
  });
});
