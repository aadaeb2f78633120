import { describe, expect, it, vi } from 'vitest';

import { manualFrames } from '@/test/frames';

import { createStore, FrameBatch, sharedFrames } from './store';

describe('store', () => {
  it('tells its listeners about each new snapshot', () => {
    const store = createStore(0);
    const listener = vi.fn();
    store.subscribe(listener);
    store.publish(1);
    expect(store.getSnapshot()).toBe(1);
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('tells nobody when the same snapshot is published again', () => {
    const state = { a: 1 };
    const store = createStore(state);
    const listener = vi.fn();
    store.subscribe(listener);
    store.publish(state);
    expect(listener).not.toHaveBeenCalled();
  });

  it('stops calling a listener once unsubscribed', () => {
    const store = createStore(0);
    const listener = vi.fn();
    store.subscribe(listener)();
    store.publish(1);
    expect(listener).not.toHaveBeenCalled();
  });
});

describe('frame batch', () => {
  it('runs many requests as one call per frame', () => {
    const frames = manualFrames();
    const run = vi.fn();
    const batch = new FrameBatch(frames.schedule, run);
    for (let i = 0; i < 100; i += 1) {
      batch.request();
    }
    expect(frames.pending).toBe(1);
    expect(run).not.toHaveBeenCalled();
    frames.flush();
    expect(run).toHaveBeenCalledTimes(1);
    batch.request();
    frames.flush();
    expect(run).toHaveBeenCalledTimes(2);
  });

  it('runs a request made during its run in the next frame', () => {
    const frames = manualFrames();
    let calls = 0;
    const batch = new FrameBatch(frames.schedule, () => {
      calls += 1;
      if (calls === 1) {
        batch.request();
      }
    });
    batch.request();
    frames.flush();
    expect(calls).toBe(1);
    frames.flush();
    expect(calls).toBe(2);
  });

  it('does nothing in a frame requested before it was cancelled', () => {
    const frames = manualFrames();
    const run = vi.fn();
    const batch = new FrameBatch(frames.schedule, run);
    batch.request();
    batch.cancel();
    frames.flush();
    expect(run).not.toHaveBeenCalled();
    batch.request();
    frames.flush();
    expect(run).toHaveBeenCalledTimes(1);
  });
});

describe('shared frames', () => {
  it('runs the callbacks of several batches in one frame callback, in order', () => {
    const frames = manualFrames();
    const shared = sharedFrames(frames.schedule);
    const order: string[] = [];
    const a = new FrameBatch(shared, () => order.push('a'));
    const b = new FrameBatch(shared, () => order.push('b'));
    b.request();
    a.request();
    expect(frames.pending).toBe(1);
    frames.flush();
    expect(order).toEqual(['b', 'a']);
    a.request();
    expect(frames.pending).toBe(1);
  });
});
