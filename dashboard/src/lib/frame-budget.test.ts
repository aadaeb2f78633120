import { describe, expect, it } from 'vitest';

import { FrameBudget } from './frame-budget';

function host(costMs: number) {
  let now = 0;
  const frames: (() => void)[] = [];
  return {
    frames,
    host: { requestFrame: (callback: () => void) => frames.push(callback), now: () => now },
    spend: () => {
      now += costMs;
    },
    nextFrame: () => {
      frames.shift()?.();
    },
  };
}

describe('frame budget', () => {
  it('runs queued jobs in the next frame until the budget is spent, the rest later', () => {
    const h = host(5);
    const budget = new FrameBudget(h.host, 8);
    const ran: string[] = [];
    for (const name of ['a', 'b', 'c', 'd']) {
      budget.schedule({ name }, () => {
        ran.push(name);
        h.spend();
      });
    }
    expect(ran).toEqual([]);
    h.nextFrame();
    expect(ran).toEqual(['a', 'b']);
    h.nextFrame();
    expect(ran).toEqual(['a', 'b', 'c', 'd']);
    expect(h.frames).toEqual([]);
  });

  it('runs a key once, with its newest job, and forgets cancelled keys', () => {
    const h = host(0);
    const budget = new FrameBudget(h.host, 8);
    const chart = {};
    const gone = {};
    const ran: number[] = [];
    budget.schedule(chart, () => ran.push(1));
    budget.schedule(gone, () => ran.push(99));
    budget.schedule(chart, () => ran.push(2));
    budget.cancel(gone);
    h.nextFrame();
    expect(ran).toEqual([2]);
  });

  it('always runs at least one job per frame, however slow', () => {
    const h = host(100);
    const budget = new FrameBudget(h.host, 8);
    const ran: number[] = [];
    budget.schedule({}, () => {
      ran.push(1);
      h.spend();
    });
    budget.schedule({}, () => ran.push(2));
    h.nextFrame();
    expect(ran).toEqual([1]);
    h.nextFrame();
    expect(ran).toEqual([1, 2]);
  });
});
