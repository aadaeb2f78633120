import { describe, expect, it } from 'vitest';

import { channel } from './contract';
import {
  formatAgo,
  formatBucket,
  formatCount,
  formatDuration,
  formatLatency,
  formatNumber,
  formatRange,
  formatValue,
} from './format';

describe('format', () => {
  it('gives each channel its precision and unit', () => {
    expect(formatValue(21.37, channel('temperature'))).toBe('21.4 °C');
    expect(formatValue(0.99, channel('accel_z'))).toBe('0.990 g');
    expect(formatNumber(1013.25, channel('pressure'))).toBe('1013.3');
  });

  it('writes durations in the largest whole unit', () => {
    expect([850, 42_000, 15 * 60_000, 3 * 3_600_000, 7 * 86_400_000].map(formatDuration)).toEqual([
      '850 ms',
      '42 s',
      '15 min',
      '3 h',
      '7 d',
    ]);
  });

  it('says how long ago', () => {
    expect(formatAgo(10_000, 10_500)).toBe('just now');
    expect(formatAgo(10_000, 22_000)).toBe('12 s ago');
  });

  it('writes latency, resolution and counts', () => {
    expect(formatLatency(38.4)).toBe('38 ms');
    expect(formatLatency(1234)).toBe('1.2 s');
    expect(formatBucket(0)).toBe('raw readings');
    expect(formatBucket(4000)).toBe('4 s buckets');
    expect(formatCount(1234567)).toBe('1\u2009234\u2009567');
  });

  it('names the date of a range once when both ends share it', () => {
    const since = new Date(2026, 10, 22, 8, 0, 0).getTime();
    expect(formatRange(since, since + 3_600_000)).toBe('2026-11-22 08:00:00 – 09:00:00');
    expect(formatRange(since, since + 86_400_000)).toBe('2026-11-22 08:00:00 – 2026-11-23 08:00:00');
  });
});
