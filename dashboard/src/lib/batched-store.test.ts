import { describe, expect, it, vi } from 'vitest';

import { createBatchedStore } from './batched-store';

function manualFrames() {
  const queue: (() => void)[] = [];
  return {
    schedule: (callback: () => void) => {
      queue.push(callback);
    },
    flush: () => {
      for (const callback of queue.splice(0)) {
        callback();
      }
    },
    get pending() {
      return queue.length;
    },
  };
}

describe('batched store', () => {
  it('publishes many updates as one change per frame', () => {
    const frames = manualFrames();
    const store = createBatchedStore(0, frames.schedule);
    const listener = vi.fn();
    store.subscribe(listener);
    for (let i = 0; i < 100; i += 1) {
      store.update((n) => n + 1);
    }
    expect(store.getState()).toBe(100);
    expect(store.getSnapshot()).toBe(0);
    expect(frames.pending).toBe(1);
    frames.flush();
    expect(store.getSnapshot()).toBe(100);
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('schedules nothing when an update changes nothing', () => {
    const frames = manualFrames();
    const store = createBatchedStore({ a: 1 }, frames.schedule);
    store.update((s) => s);
    expect(frames.pending).toBe(0);
  });

  it('stops calling a listener once unsubscribed', () => {
    const frames = manualFrames();
    const store = createBatchedStore(0, frames.schedule);
    const listener = vi.fn();
    store.subscribe(listener)();
    store.update((n) => n + 1);
    frames.flush();
    expect(listener).not.toHaveBeenCalled();
  });
});

describe('batched store preparation', () => {
  it('runs the prepare step once per flush, not once per update', () => {
    const queue: (() => void)[] = [];
    const prepare = vi.fn((n: number) => n * 10);
    const store = createBatchedStore(1, (callback) => queue.push(callback), prepare);
    store.update((n) => n + 1);
    store.update((n) => n + 1);
    for (const callback of queue.splice(0)) {
      callback();
    }
    expect(prepare).toHaveBeenCalledTimes(1);
    expect(store.getSnapshot()).toBe(30);
  });
});
