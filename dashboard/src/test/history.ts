/** Builders of history answers and frames for the timeline tests. */
import type { ChannelName, FrameMessage, HistoryAnswer, ReadingRow, TimeRange } from '@/lib/contract';

/** A reading of the test device: `seq`, one second apart from T0, temperature 20 + seq / 10. */
export const T0 = 1_800_000_000_000;

export function row(seq: number, deviceTs = T0 + seq * 1000): ReadingRow {
  return { seq, deviceTs, receivedTs: deviceTs + 10, values: { temperature: 20 + seq / 10, humidity: 40 } };
}

export function rows(first: number, last: number): ReadingRow[] {
  return Array.from({ length: last - first + 1 }, (_, i) => row(first + i));
}

export function frame(readings: readonly ReadingRow[], boot = 'boot-a', device = 'sim-1'): FrameMessage {
  const head = readings[0];
  const tail = readings[readings.length - 1];
  if (head === undefined || tail === undefined) {
    throw new Error('a frame needs readings');
  }
  return { type: 'frame', device, boot, seq: [head.seq, tail.seq], readings };
}

const CHANNELS: readonly ChannelName[] = ['temperature', 'humidity'];

/** A raw answer (`bucket_ms: 0`) holding `readings` of `boot`. */
export function rawAnswer(
  readings: readonly ReadingRow[],
  range: TimeRange,
  { boot = 'boot-a', gaps = [] as TimeRange[], device = 'sim-1' } = {},
): HistoryAnswer {
  const column = (name: string) => readings.map((r) => r.values[name] ?? null);
  return {
    device,
    sinceDeviceTs: range[0],
    untilDeviceTs: range[1],
    bucketMs: 0,
    channels: CHANNELS,
    deviceTs: readings.map((r) => r.deviceTs),
    n: readings.map(() => 1),
    series: Object.fromEntries(CHANNELS.map((c) => [c, { min: column(c), max: column(c), mean: column(c) }])),
    gapsDeviceTs: gaps,
    seq: readings.map((r) => r.seq),
    boot: readings.map(() => boot),
  };
}

/** A bucketed answer: `readings` summarised into buckets of `bucketMs` on the epoch grid. */
export function bucketedAnswer(
  readings: readonly ReadingRow[],
  range: TimeRange,
  bucketMs: number,
  { gaps = [] as TimeRange[], device = 'sim-1' } = {},
): HistoryAnswer {
  const buckets = new Map<number, ReadingRow[]>();
  for (const r of readings) {
    const t = Math.floor(r.deviceTs / bucketMs) * bucketMs;
    buckets.set(t, [...(buckets.get(t) ?? []), r]);
  }
  const t = [...buckets.keys()].sort((a, b) => a - b);
  const series = Object.fromEntries(
    CHANNELS.map((c) => {
      const values = t.map((start) => (buckets.get(start) ?? []).map((r) => r.values[c] ?? NaN));
      return [
        c,
        {
          min: values.map((v) => Math.min(...v)),
          max: values.map((v) => Math.max(...v)),
          mean: values.map((v) => v.reduce((a, b) => a + b, 0) / v.length),
        },
      ];
    }),
  );
  return {
    device,
    sinceDeviceTs: range[0],
    untilDeviceTs: range[1],
    bucketMs,
    channels: CHANNELS,
    deviceTs: t,
    n: t.map((start) => buckets.get(start)?.length ?? 0),
    series,
    gapsDeviceTs: gaps,
    seq: null,
    boot: null,
  };
}
