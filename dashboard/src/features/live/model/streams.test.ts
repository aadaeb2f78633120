import { describe, expect, it } from 'vitest';

import type { FrameMessage } from '@/lib/protocol';
import type { ReadingRow } from '@/lib/reading';

import { countValues, type Point } from './ring';
import { emptyStream, reduceStreams, type StreamEvent, type StreamOptions, type Streams } from './streams';

const OPTIONS: StreamOptions = { channels: ['temperature', 'humidity'], capacity: 100, maxQueuedFrames: 3 };
const T0 = 1_800_000_000_000;

/** Reading `seq`, one second apart, temperature = 20 + seq / 10. */
function row(seq: number, ts = T0 + seq * 1000): ReadingRow {
  return { seq, ts, rx: ts + 10, values: { temperature: 20 + seq / 10, humidity: 40 } };
}

function rows(first: number, last: number): ReadingRow[] {
  return Array.from({ length: last - first + 1 }, (_, i) => row(first + i));
}

function frame(readings: ReadingRow[], boot = 'boot-a', device = 'sim-1'): FrameMessage {
  const head = readings[0];
  const tail = readings[readings.length - 1];
  if (head === undefined || tail === undefined) {
    throw new Error('a frame needs readings');
  }
  return { type: 'frame', device, boot, seq: [head.seq, tail.seq], readings };
}

function history(readings: ReadingRow[], device = 'sim-1'): StreamEvent {
  return { type: 'history', device, readings };
}

function apply(events: StreamEvent[], state: Streams = {}): Streams {
  return events.reduce((s, e) => reduceStreams(s, e, OPTIONS), state);
}

function temperature(state: Streams, device = 'sim-1'): Point[] {
  return [...(state[device]?.series.temperature?.points ?? [])];
}

function values(state: Streams): (number | null)[] {
  return temperature(state).map(([, v]) => v);
}

describe('history snapshot, then frames', () => {
  it('joins history and frames in seq order', () => {
    const state = apply([history(rows(0, 4)), { type: 'frame', frame: frame(rows(5, 7)) }]);
    expect(temperature(state)).toEqual(rows(0, 7).map((r) => [r.ts, r.values.temperature]));
    expect(state['sim-1']).toMatchObject({ loaded: true, boot: 'boot-a', lastSeq: 7, breaks: 0 });
  });

  it('gives the same series as one snapshot of everything', () => {
    const split = apply([
      history(rows(0, 3)),
      { type: 'frame', frame: frame(rows(4, 5)) },
      { type: 'frame', frame: frame(rows(6, 9)) },
    ]);
    const whole = apply([history(rows(0, 9))]);
    expect(split['sim-1']?.series).toEqual(whole['sim-1']?.series);
  });

  it('queues frames that arrive before the history and drops what the history already holds', () => {
    const state = apply([
      { type: 'frame', frame: frame(rows(3, 4)) },
      { type: 'frame', frame: frame(rows(5, 6)) },
      history(rows(0, 4)),
    ]);
    expect(values(state)).toEqual(rows(0, 6).map((r) => r.values.temperature));
    expect(state['sim-1']?.queued).toEqual([]);
  });

  it('shows nothing until the history is in, then everything', () => {
    const waiting = apply([{ type: 'frame', frame: frame(rows(0, 1)) }]);
    expect(waiting['sim-1']).toMatchObject({ loaded: false, queued: [frame(rows(0, 1))] });
    expect(temperature(waiting)).toEqual([]);
    expect(values(apply([history([])], waiting))).toEqual([20, 20.1]);
  });

  it('keeps only the newest queued frames, and the lost ones show as a gap', () => {
    const state = apply([
      ...[1, 2, 3, 4, 5].map((seq): StreamEvent => ({ type: 'frame', frame: frame([row(seq)]) })),
      history([row(0)]),
    ]);
    expect(values(state)).toEqual([20, null, 20.3, 20.4, 20.5]);
  });

  it('applies only the first history snapshot', () => {
    const once = apply([history(rows(0, 2))]);
    expect(apply([history(rows(5, 9))], once)).toBe(once);
  });

  it('removes rows repeated where two history pages overlap', () => {
    const state = apply([history([...rows(0, 3), row(3), ...rows(4, 5)])]);
    expect(values(state)).toEqual(rows(0, 5).map((r) => r.values.temperature));
  });
});

describe('duplicates', () => {
  it('ignores a frame delivered twice, returning the very same state', () => {
    const once = apply([history([]), { type: 'frame', frame: frame(rows(0, 2)) }]);
    expect(apply([{ type: 'frame', frame: frame(rows(0, 2)) }], once)).toBe(once);
  });

  it('keeps the new tail of a frame that overlaps the last one', () => {
    const state = apply([history([]), { type: 'frame', frame: frame(rows(0, 2)) }, { type: 'frame', frame: frame(rows(1, 4)) }]);
    expect(values(state)).toEqual(rows(0, 4).map((r) => r.values.temperature));
  });

  it('ignores readings older than the last one shown', () => {
    const state = apply([history([]), { type: 'frame', frame: frame(rows(5, 6)) }, { type: 'frame', frame: frame(rows(2, 3)) }]);
    expect(values(state)).toEqual([20.5, 20.6]);
  });
});

describe('gaps and boot changes break the line', () => {
  it('inserts one null point between the readings around a seq gap', () => {
    const state = apply([history(rows(0, 2)), { type: 'frame', frame: frame(rows(6, 7)) }]);
    const points = temperature(state);
    expect(points.map(([, v]) => v)).toEqual([20, 20.1, 20.2, null, 20.6, 20.7]);
    const gap = points[3];
    expect(gap?.[0]).toBeGreaterThan(row(2).ts);
    expect(gap?.[0]).toBeLessThan(row(6).ts);
    expect(state['sim-1']?.breaks).toBe(1);
    expect(state['sim-1']?.series.humidity?.points.map(([, v]) => v)).toEqual([40, 40, 40, null, 40, 40]);
  });

  it('marks a gap in the history itself', () => {
    const state = apply([history([...rows(0, 1), ...rows(5, 6)])]);
    expect(values(state)).toEqual([20, 20.1, null, 20.5, 20.6]);
  });

  it('marks a gap inside one frame', () => {
    const state = apply([history([]), { type: 'frame', frame: frame([row(0), row(1), row(3)]) }]);
    expect(values(state)).toEqual([20, 20.1, null, 20.3]);
  });

  it('breaks on a new boot even when its seq starts right after the old one', () => {
    const later = (seq: number) => row(seq, T0 + 60_000 + seq * 1000);
    const state = apply([
      history([]),
      { type: 'frame', frame: frame(rows(0, 2), 'boot-a') },
      { type: 'frame', frame: frame([later(3), later(4)], 'boot-b') },
    ]);
    expect(values(state)).toEqual([20, 20.1, 20.2, null, 20.3, 20.4]);
    expect(state['sim-1']).toMatchObject({ boot: 'boot-b', lastSeq: 4, breaks: 1 });
  });

  it('accepts a restarted seq after a reboot instead of calling it a duplicate', () => {
    const rebooted = (seq: number) => row(seq, T0 + 60_000 + seq * 1000);
    const state = apply([
      history([]),
      { type: 'frame', frame: frame(rows(10, 12), 'boot-a') },
      { type: 'frame', frame: frame([rebooted(0), rebooted(1)], 'boot-b') },
    ]);
    expect(values(state)).toEqual([21, 21.1, 21.2, null, 20, 20.1]);
  });

  it('breaks when the first frame after the history is from a newer boot', () => {
    const rebooted = row(0, T0 + 60_000);
    const state = apply([history(rows(10, 12)), { type: 'frame', frame: frame([rebooted], 'boot-b') }]);
    expect(values(state)).toEqual([21, 21.1, 21.2, null, 20]);
  });
});

describe('bounds', () => {
  it('keeps at most `capacity` points per series, the newest', () => {
    const small: StreamOptions = { ...OPTIONS, capacity: 5 };
    let state: Streams = reduceStreams({}, history(rows(0, 3)), small);
    for (let seq = 4; seq < 50; seq += 2) {
      state = reduceStreams(state, { type: 'frame', frame: frame(rows(seq, seq + 1)) }, small);
    }
    const ring = state['sim-1']?.series.temperature;
    expect(ring?.points).toHaveLength(5);
    expect(ring?.points.map(([, v]) => v)).toEqual(rows(45, 49).map((r) => r.values.temperature));
    expect(ring === undefined ? -1 : countValues(ring)).toBe(5);
  });

  it('keeps only the configured channels', () => {
    const state = apply([history([{ ...row(0), values: { temperature: 20, pressure: 1000 } }])]);
    expect(Object.keys(state['sim-1']?.series ?? {})).toEqual(['temperature', 'humidity']);
    expect(state['sim-1']?.series.humidity?.points).toEqual([]);
  });

  it('keeps devices apart', () => {
    const state = apply([
      history(rows(0, 1), 'sim-1'),
      history(rows(0, 0), 'sim-2'),
      { type: 'frame', frame: frame([row(1)], 'boot-a', 'sim-2') },
    ]);
    expect(values(state)).toEqual([20, 20.1]);
    expect(temperature(state, 'sim-2').map(([, v]) => v)).toEqual([20, 20.1]);
  });

  it('starts every stream empty and unloaded', () => {
    expect(emptyStream(OPTIONS)).toMatchObject({ loaded: false, queued: [], boot: null, lastSeq: null, breaks: 0 });
  });
});
