import { describe, expect, it } from 'vitest';

import type { FrameMessage, HistoryAnswer } from '@/lib/contract';
import { bucketedAnswer, frame, rawAnswer, row, rows, T0 } from '@/test/history';

import { SeriesBuffer } from './buffer';
import {
  nextWakeup,
  openTimeline,
  stepTimeline,
  type Step,
  type TimelineConfig,
  type TimelineEffect,
  type TimelineEvent,
  type TimelineState,
} from './timeline';
import type { TimeWindow } from './windows';

const CONFIG: TimelineConfig = {
  channels: ['temperature', 'humidity'],
  points: 100,
  settleMs: 200,
  waitMs: 1000,
  catchUpMs: 1500,
  maxQueuedReadings: 10,
  retryMs: [1000, 2000],
};
const SPAN = 600_000;
const LIVE: TimeWindow = { kind: 'live', spanMs: SPAN };

type Fetch = Extract<TimelineEffect, { type: 'fetch' }>;

/** The reducer with its buffer: events in, effects carried out, fetches recorded. */
class Harness {
  state: TimelineState;
  readonly buffer = new SeriesBuffer(CONFIG.channels);
  readonly fetches: Fetch[] = [];
  effects: readonly TimelineEffect[] = [];

  constructor(window: TimeWindow = LIVE, at = T0, config: TimelineConfig = CONFIG) {
    this.config = config;
    const opened = openTimeline(window, config, at);
    this.state = opened.state;
    this.apply(opened);
  }

  readonly config: TimelineConfig;

  send(event: TimelineEvent): readonly TimelineEffect[] {
    this.apply(stepTimeline(this.state, event, this.config));
    return this.effects;
  }

  /** A frame arriving 50 ms after its last reading was taken. */
  frame(message: FrameMessage, at?: number): readonly TimelineEffect[] {
    const last = message.readings[message.readings.length - 1];
    return this.send({ type: 'frame', frame: message, at: at ?? (last?.deviceTs ?? T0) + 50 });
  }

  answer(answer: HistoryAnswer, at: number, fetch = this.lastFetch()): readonly TimelineEffect[] {
    return this.send({ type: 'answer', id: fetch.id, answer, at });
  }

  lastFetch(): Fetch {
    const last = this.fetches[this.fetches.length - 1];
    if (last === undefined) {
      throw new Error('nothing was fetched');
    }
    return last;
  }

  /** Temperature of every entry, oldest first (raw buffers: one per reading). */
  temperatures(): number[] {
    return this.buffer.t.map((_, i) => this.buffer.stats('temperature', i).mean);
  }

  private apply(step: Step): void {
    this.state = step.state;
    this.effects = step.effects;
    for (const effect of step.effects) {
      switch (effect.type) {
        case 'fetch':
          this.fetches.push(effect);
          break;
        case 'reset':
          this.buffer.reset(effect.bucketMs, effect.origin);
          break;
        case 'fold':
          this.buffer.fold(effect.samples);
          break;
        case 'merge':
          this.buffer.merge(effect.answer, effect.indices);
          break;
        case 'trim':
          this.buffer.trimBefore(effect.before);
          break;
      }
    }
  }
}

const temperature = (seq: number) => 20 + seq / 10;
const temps = (first: number, last: number) => rows(first, last).map((r) => r.values.temperature);

/** A live timeline whose history holds readings 0..last and whose head is `last`. */
function ready(last = 12): Harness {
  const h = new Harness(LIVE, row(last).deviceTs - 5000);
  h.frame(frame([row(last)]));
  h.send({ type: 'tick', at: row(last).deviceTs + 300 });
  h.answer(rawAnswer(rows(0, last - 1), [row(last).deviceTs - SPAN, row(last).deviceTs]), row(last).deviceTs + 400);
  expect(h.temperatures()).toEqual(temps(0, last));
  return h;
}

describe('history snapshot, then frames', () => {
  it('waits until a live reading has settled, then asks history for everything before it', () => {
    const h = new Harness(LIVE, T0);
    expect(h.frame(frame([row(10)]), row(10).deviceTs + 50)).toEqual([]);
    expect(h.send({ type: 'tick', at: row(10).deviceTs + 100 })).toEqual([]);
    h.send({ type: 'tick', at: row(10).deviceTs + 250 });
    expect(h.lastFetch()).toMatchObject({ since: row(10).deviceTs - SPAN, until: row(10).deviceTs, points: CONFIG.points });
    expect(h.state.phase).toBe('loading');
  });

  it('asks up to now when the device stays quiet', () => {
    const h = new Harness(LIVE, T0);
    expect(nextWakeup(h.state, CONFIG)).toBe(T0 + CONFIG.waitMs);
    h.send({ type: 'tick', at: T0 + 1000 });
    expect(h.lastFetch()).toMatchObject({ since: T0 + 1000 - SPAN, until: T0 + 1000 });
  });

  it('joins a raw answer and the queued frames exactly by sequence number', () => {
    const h = new Harness(LIVE, T0);
    h.frame(frame(rows(10, 11)));
    h.frame(frame([row(12)]));
    h.send({ type: 'tick', at: row(12).deviceTs + 300 });
    // The store was quicker than the seam: the answer already holds 10 and 11.
    h.answer(rawAnswer(rows(0, 11), [T0 - SPAN, row(10).deviceTs]), row(12).deviceTs + 400);
    expect(h.temperatures()).toEqual(temps(0, 12));
    expect(h.state).toMatchObject({ phase: 'ready', head: { seq: 12, boot: 'boot-a' }, holes: [], gaps: [] });
  });

  it('joins a bucketed answer by time: live readings from its end on', () => {
    const h = new Harness(LIVE, T0);
    h.frame(frame(rows(10, 12)));
    h.send({ type: 'tick', at: row(12).deviceTs + 300 });
    h.answer(bucketedAnswer(rows(0, 9), [T0 - SPAN, row(10).deviceTs], 5000), row(12).deviceTs + 400);
    expect(h.buffer.bucketMs).toBe(5000);
    expect(h.buffer.n).toEqual([5, 5, 3]);
    expect(h.buffer.readings).toBe(13);
    expect(h.buffer.stats('temperature', 2).mean).toBeCloseTo(temperature(11));
  });

  it('ignores a frame delivered twice, returning the very same state', () => {
    const h = ready();
    h.frame(frame([row(13)]));
    const before = h.state;
    expect(h.frame(frame([row(13)]))).toEqual([]);
    expect(h.state.applied).toBe(before.applied);
    expect(h.temperatures()).toEqual(temps(0, 13));
  });

  it('shows history when the device sent nothing live, and live readings after it', () => {
    const h = new Harness(LIVE, T0);
    h.send({ type: 'tick', at: row(10).deviceTs });
    h.answer(rawAnswer([], [row(10).deviceTs - SPAN, row(10).deviceTs]), row(10).deviceTs + 100);
    h.frame(frame([row(11)]));
    expect(h.temperatures()).toEqual([temperature(11)]);
  });
});

describe('missing readings are fetched, never bridged', () => {
  it('fetches the readings between two known ones when seq jumps', () => {
    const h = ready();
    h.frame(frame([row(15)]));
    expect(h.lastFetch()).toMatchObject({ since: row(12).deviceTs + 1, until: row(15).deviceTs });
    expect(h.state.holes).toHaveLength(1);
    h.answer(rawAnswer(rows(13, 14), [row(12).deviceTs + 1, row(15).deviceTs]), row(15).deviceTs + 100);
    expect(h.temperatures()).toEqual(temps(0, 15));
    expect(h.state.holes).toEqual([]);
    expect(h.state.gaps).toEqual([]);
  });

  it('asks again with backoff while readings are missing, then draws a gap', () => {
    const h = ready();
    h.frame(frame([row(16)]));
    const at = row(16).deviceTs + 100;
    h.answer(rawAnswer([row(13)], [row(12).deviceTs + 1, row(16).deviceTs]), at);
    expect(h.state.holes).toMatchObject([{ attempts: 1, inFlight: false, dueAt: at + 1000 }]);
    expect(nextWakeup(h.state, CONFIG)).toBe(at + 1000);
    expect(h.send({ type: 'tick', at: at + 999 })).not.toContainEqual(expect.objectContaining({ type: 'fetch' }));
    h.send({ type: 'tick', at: at + 1000 });
    h.answer(rawAnswer([row(14)], [row(12).deviceTs + 1, row(16).deviceTs]), at + 1100);
    expect(h.state.holes).toMatchObject([{ attempts: 2, dueAt: at + 3100 }]);
    h.send({ type: 'tick', at: at + 3100 });
    h.answer(rawAnswer([], [row(12).deviceTs + 1, row(16).deviceTs]), at + 3200);
    expect(h.state.holes).toEqual([]);
    expect(h.state.gaps).toEqual([[row(12).deviceTs, row(16).deviceTs]]);
    expect(h.temperatures()).toEqual([...temps(0, 14), temperature(16)]);
  });

  it('retries a fetch that failed', () => {
    const h = ready();
    h.frame(frame([row(14)]));
    h.send({ type: 'failed', id: h.lastFetch().id, error: 'HTTP 502', at: row(14).deviceTs + 100 });
    expect(h.state.error).toBe('HTTP 502');
    h.send({ type: 'tick', at: row(14).deviceTs + 1100 });
    h.answer(rawAnswer([row(13)], [row(12).deviceTs + 1, row(14).deviceTs]), row(14).deviceTs + 1200);
    expect(h.temperatures()).toEqual(temps(0, 14));
  });

  it('opens a hole between two boots and fetches it once; a long silence there is a gap', () => {
    const h = ready();
    const rebooted = { ...row(0), deviceTs: row(12).deviceTs + 60_000 };
    h.frame(frame([rebooted], 'boot-b'));
    expect(h.lastFetch()).toMatchObject({ since: row(12).deviceTs + 1, until: rebooted.deviceTs });
    h.answer(rawAnswer([row(13)], [row(12).deviceTs + 1, rebooted.deviceTs]), rebooted.deviceTs + 100);
    expect(h.state.holes).toEqual([]);
    expect(h.state.gaps).toEqual([[row(13).deviceTs, rebooted.deviceTs]]);
    expect(h.state.head).toMatchObject({ boot: 'boot-b', seq: 0 });
  });

  it('keeps the gaps the server reports', () => {
    const h = new Harness(LIVE, T0);
    h.send({ type: 'tick', at: row(30).deviceTs });
    h.answer(rawAnswer([...rows(0, 5), ...rows(20, 29)], [T0, row(30).deviceTs], { gaps: [[row(5).deviceTs, row(20).deviceTs]] }), row(30).deviceTs);
    expect(h.state.gaps).toEqual([[row(5).deviceTs, row(20).deviceTs]]);
  });
});

describe('reconnecting', () => {
  it('fetches the range since the last reading when a device stays quiet', () => {
    const h = ready();
    const back = row(20).deviceTs;
    h.send({ type: 'resubscribed', at: back });
    expect(nextWakeup(h.state, CONFIG)).toBe(back + CONFIG.catchUpMs);
    h.send({ type: 'tick', at: back + 1500 });
    expect(h.lastFetch()).toMatchObject({ since: row(12).deviceTs + 1, until: back + 1500 });
    h.answer(rawAnswer(rows(13, 20), [row(12).deviceTs + 1, back + 1500]), back + 1600);
    expect(h.temperatures()).toEqual(temps(0, 20));
    expect(h.state.head).toMatchObject({ seq: 20 });
    const fetches = h.fetches.length;
    h.frame(frame([row(21)]));
    expect(h.fetches).toHaveLength(fetches);
    expect(h.temperatures()).toEqual(temps(0, 21));
  });

  it('lets a device that sends again show its hole by seq, without a catch-up', () => {
    const h = ready();
    h.send({ type: 'resubscribed', at: row(19).deviceTs });
    h.frame(frame([row(20)]));
    expect(h.lastFetch()).toMatchObject({ since: row(12).deviceTs + 1, until: row(20).deviceTs });
    const fetches = h.fetches.length;
    h.send({ type: 'tick', at: row(19).deviceTs + 5000 });
    expect(h.fetches).toHaveLength(fetches);
  });

  it('does not fetch twice what a catch-up and a later hole both cover', () => {
    const h = ready();
    h.send({ type: 'resubscribed', at: row(15).deviceTs });
    h.send({ type: 'tick', at: row(15).deviceTs + 1500 });
    const catchUp = h.lastFetch();
    h.frame(frame([row(18)])); // arrives before the catch-up's answer: a hole 13..17 as well
    const hole = h.lastFetch();
    h.answer(rawAnswer(rows(13, 16), [row(12).deviceTs + 1, row(15).deviceTs + 1500]), row(18).deviceTs + 100, catchUp);
    h.answer(rawAnswer(rows(13, 17), [row(12).deviceTs + 1, row(18).deviceTs]), row(18).deviceTs + 200, hole);
    expect(h.temperatures()).toEqual(temps(0, 18));
    expect(h.state.holes).toEqual([]);
  });
});

describe('pause', () => {
  it('holds frames without touching the buffer, and resume applies them in order', () => {
    const h = ready();
    h.send({ type: 'pause', at: row(13).deviceTs });
    const version = h.buffer.version;
    h.frame(frame([row(13)]));
    h.frame(frame(rows(14, 15)));
    expect(h.buffer.version).toBe(version);
    expect(h.state).toMatchObject({ paused: true, queuedReadings: 3 });
    h.send({ type: 'resume', at: row(16).deviceTs });
    expect(h.temperatures()).toEqual(temps(0, 15));
    expect(h.state).toMatchObject({ paused: false, queuedReadings: 0, queue: [] });
  });

  it('drops the oldest frames when the queue is full, and resume fetches them back', () => {
    const h = ready();
    h.send({ type: 'pause', at: row(13).deviceTs });
    for (let seq = 13; seq <= 27; seq += 1) {
      h.frame(frame([row(seq)]));
    }
    expect(h.state).toMatchObject({ queuedReadings: 10, overflowed: 5 });
    h.send({ type: 'resume', at: row(28).deviceTs });
    expect(h.lastFetch()).toMatchObject({ since: row(12).deviceTs + 1, until: row(18).deviceTs });
    h.answer(rawAnswer(rows(13, 17), [row(12).deviceTs + 1, row(18).deviceTs]), row(28).deviceTs + 100);
    expect(h.temperatures()).toEqual(temps(0, 27));
  });

  it('holds the answers to missing ranges too', () => {
    const h = ready();
    h.frame(frame([row(14)]));
    h.send({ type: 'pause', at: row(14).deviceTs + 60 });
    const version = h.buffer.version;
    h.answer(rawAnswer([row(13)], [row(12).deviceTs + 1, row(14).deviceTs]), row(14).deviceTs + 100);
    expect(h.buffer.version).toBe(version);
    h.send({ type: 'resume', at: row(15).deviceTs });
    expect(h.temperatures()).toEqual(temps(0, 14));
    expect(h.state.holes).toEqual([]);
  });

  it('waits with the catch-up of a reconnect until resume', () => {
    const h = ready();
    h.send({ type: 'pause', at: row(14).deviceTs });
    h.send({ type: 'resubscribed', at: row(15).deviceTs });
    const fetches = h.fetches.length;
    h.send({ type: 'tick', at: row(15).deviceTs + 5000 });
    expect(h.fetches).toHaveLength(fetches);
    h.send({ type: 'resume', at: row(21).deviceTs });
    h.send({ type: 'tick', at: row(21).deviceTs });
    expect(h.lastFetch()).toMatchObject({ since: row(12).deviceTs + 1, until: row(21).deviceTs });
  });
});

describe('windows', () => {
  it('trims what slides out of a live window', () => {
    const h = ready();
    h.send({ type: 'tick', at: row(5).deviceTs + SPAN + 1 });
    expect(h.temperatures()).toEqual(temps(6, 12));
  });

  it('asks a fixed window once, after a moment, and takes no live frames', () => {
    const window: TimeWindow = { kind: 'fixed', since: T0, until: row(20).deviceTs };
    const h = new Harness(window, row(100).deviceTs);
    expect(h.fetches).toEqual([]);
    expect(nextWakeup(h.state, CONFIG)).toBe(row(100).deviceTs + CONFIG.settleMs);
    h.send({ type: 'tick', at: row(100).deviceTs + CONFIG.settleMs });
    expect(h.lastFetch()).toMatchObject({ since: T0, until: row(20).deviceTs });
    h.answer(rawAnswer(rows(0, 19), [T0, row(20).deviceTs]), row(101).deviceTs);
    expect(h.frame(frame([row(101)]))).toEqual([]);
    expect(h.temperatures()).toEqual(temps(0, 19));
  });

  it('asks history again when it failed', () => {
    const h = new Harness(LIVE, T0);
    h.send({ type: 'tick', at: T0 + 1000 });
    h.send({ type: 'failed', id: h.lastFetch().id, error: 'HTTP 500', at: T0 + 1100 });
    expect(h.state).toMatchObject({ phase: 'waiting', error: 'HTTP 500' });
    h.send({ type: 'tick', at: T0 + 2100 });
    expect(h.fetches).toHaveLength(2);
  });
});

describe('applying events equals a fresh snapshot', () => {
  it('raw: history, frames, a hole and its backfill give the buffer one answer of everything gives', () => {
    const h = ready(10);
    h.frame(frame(rows(11, 12)));
    h.frame(frame([row(16)]));
    h.answer(rawAnswer(rows(13, 15), [row(12).deviceTs + 1, row(16).deviceTs]), row(16).deviceTs + 100);
    h.frame(frame(rows(17, 20)));

    const fresh = new SeriesBuffer(CONFIG.channels);
    const all = rawAnswer(rows(0, 20), [T0, row(21).deviceTs]);
    fresh.merge(all, all.deviceTs.map((_, i) => i));
    expect(h.buffer.t).toEqual(fresh.t);
    expect(h.buffer.n).toEqual(fresh.n);
    expect(h.temperatures()).toEqual(fresh.t.map((_, i) => fresh.stats('temperature', i).mean));
  });

  it('bucketed: live readings fold into the same buckets a later answer reports', () => {
    const h = new Harness(LIVE, T0);
    h.frame(frame([row(7)]));
    h.send({ type: 'tick', at: row(7).deviceTs + 300 });
    h.answer(bucketedAnswer(rows(0, 6), [T0 - SPAN, row(7).deviceTs], 5000), row(7).deviceTs + 400);
    for (let seq = 8; seq <= 23; seq += 2) {
      h.frame(frame(rows(seq, seq + 1)));
    }
    const later = bucketedAnswer(rows(0, 23), [T0, row(24).deviceTs], 5000);
    expect(h.buffer.t).toEqual(later.deviceTs);
    expect(h.buffer.n).toEqual(later.n);
    later.deviceTs.forEach((_, i) => {
      const stats = h.buffer.stats('temperature', i);
      expect(stats.mean).toBeCloseTo(later.series.temperature?.mean[i] ?? NaN, 9);
      expect(stats.min).toBe(later.series.temperature?.min[i]);
      expect(stats.max).toBe(later.series.temperature?.max[i]);
    });
  });
});
