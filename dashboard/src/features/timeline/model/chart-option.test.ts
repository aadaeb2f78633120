import { describe, expect, it } from 'vitest';

import { channel } from '@/lib/contract';

import { SeriesBuffer } from './buffer';
import { angleAxis, axisNumber, groupOption, sparklineOption, zoomFromEvent } from './chart-option';
import { buildColumns } from './columns';
import { CHART_GROUPS, DEVICE_CHANNELS } from './groups';

const AXIS = [10_000, 20_000] as const;

function columns() {
  const buffer = new SeriesBuffer(DEVICE_CHANNELS);
  buffer.fold([
    { ts: 1000, values: { pitch: 355, roll: 2, yaw: 200, compass: 201, temperature: 20 } },
    { ts: 2000, values: { pitch: 356, roll: 3, yaw: 201, compass: 202, temperature: 21 } },
  ]);
  return buildColumns(buffer, []);
}

function group(id: string) {
  const found = CHART_GROUPS.find((g) => g.id === id);
  if (found === undefined) {
    throw new Error(id);
  }
  return found;
}

describe('chart groups', () => {
  it('chart every contract channel once, one unit per chart', () => {
    expect([...DEVICE_CHANNELS].sort()).toEqual(
      ['temperature', 'humidity', 'pressure', 'pitch', 'roll', 'yaw', 'compass', 'accel_x', 'accel_y', 'accel_z', 'gyro_x', 'gyro_y', 'gyro_z', 'mag_x', 'mag_y', 'mag_z'].sort(),
    );
    expect(CHART_GROUPS.map((g) => `${g.id} ${g.unit}`)).toEqual([
      'temperature °C',
      'humidity %RH',
      'pressure hPa',
      'orientation °',
      'accelerometer g',
      'gyroscope rad/s',
      'magnetometer µT',
    ]);
  });
});

describe('group chart option', () => {
  const option = groupOption({
    group: group('orientation'),
    columns: columns(),
    bucketMs: 1000,
    range: AXIS,
    bands: [{ range: [12_000, 13_000], kind: 'gap' }],
    scheme: 'light',
  });
  const series = option.series as { id: string; stack?: string; connectNulls?: boolean; animation?: boolean; markArea?: { data: unknown[] } }[];

  it('draws each channel as a min/max band under its mean line, never bridging nulls, never animating', () => {
    expect(option.animation).toBe(false);
    expect(series.map((s) => s.id)).toEqual(
      ['pitch', 'roll', 'yaw', 'compass'].flatMap((c) => [`${c}:low`, `${c}:band`, `${c}:mean`]),
    );
    expect(series.filter((s) => s.id.endsWith(':mean')).every((s) => s.connectNulls === false)).toBe(true);
    expect(series.every((s) => s.animation === false)).toBe(true);
    expect(series[0]?.stack).toBe(series[1]?.stack);
  });

  it('leaves the band out at raw resolution, where min and max are the reading itself', () => {
    const raw = groupOption({ group: group('temperature'), columns: columns(), bucketMs: 0, range: AXIS, bands: [], scheme: 'dark' });
    expect((raw.series as { id: string }[]).map((s) => s.id)).toEqual(['temperature:mean']);
  });

  it('shades gaps on the first line', () => {
    expect(series[2]?.markArea?.data).toHaveLength(1);
  });

  it('shows the window on the x axis', () => {
    expect(option.xAxis).toMatchObject({ type: 'time', min: AXIS[0], max: AXIS[1] });
  });
});

describe('axes', () => {
  it('bound angles by multiples of 30° inside the circle', () => {
    expect(angleAxis(columns(), group('orientation').channels)).toEqual({ min: 0, max: 360, interval: 90 });
    const c = columns();
    expect(angleAxis(c, group('orientation').channels.filter((ch) => ch.name === 'yaw'))).toEqual({ min: 180, max: 210, interval: 30 });
  });

  it('label numbers without thousands separators or float noise', () => {
    expect(axisNumber(1013)).toBe('1013');
    expect(axisNumber(0.1 + 0.2)).toBe('0.3');
  });
});

describe('sparkline option', () => {
  it('has no axes to show and no animation', () => {
    const option = sparklineOption(channel('temperature'), columns(), AXIS, 'dark');
    expect(option).toMatchObject({ animation: false, xAxis: { show: false }, yAxis: { show: false } });
  });
});

describe('zoomFromEvent', () => {
  it('reads the values of a drag-to-select zoom', () => {
    expect(zoomFromEvent({ batch: [{ startValue: 12_000, endValue: 15_000 }] }, AXIS)).toEqual([12_000, 15_000]);
  });

  it('maps percentages of a wheel or slider zoom onto the axis', () => {
    expect(zoomFromEvent({ start: 20, end: 50 }, AXIS)).toEqual([12_000, 15_000]);
  });

  it('ignores events without a range and ranges under a second', () => {
    expect(zoomFromEvent({ type: 'datazoom' }, AXIS)).toBeNull();
    expect(zoomFromEvent({ startValue: 12_000, endValue: 12_500 }, AXIS)).toBeNull();
    expect(zoomFromEvent(null, AXIS)).toBeNull();
  });
});
