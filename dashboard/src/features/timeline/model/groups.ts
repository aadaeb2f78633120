/**
 * How the device view groups the 16 Sense HAT channels into charts: one chart per
 * quantity and unit, so every axis carries one unit.
 *
 * The environment channels get a chart each (their scales differ by orders of
 * magnitude). The compass heading joins pitch, roll and yaw: all four are angles in
 * degrees, and yaw and heading move together.
 */
import { channel, type Channel } from '@/lib/contract';

/** One chart of the device view. */
export interface ChartGroup {
  /** Stable id: test hooks and React keys. */
  readonly id: string;
  readonly title: string;
  readonly unit: string;
  readonly channels: readonly Channel[];
  /** Short series names for the legend and tooltip, by channel name. */
  readonly names: Readonly<Record<string, string>>;
}

function group(id: string, title: string, names: Readonly<Record<string, string>>): ChartGroup {
  const channels = Object.keys(names).map(channel);
  const unit = channels[0]?.unit ?? '';
  if (channels.some((c) => c.unit !== unit)) {
    throw new Error(`chart ${id} mixes units`);
  }
  return { id, title, unit, channels, names };
}

/** The charts of the device view, in display order. */
export const CHART_GROUPS: readonly ChartGroup[] = [
  group('temperature', 'Temperature', { temperature: 'Temperature' }),
  group('humidity', 'Humidity', { humidity: 'Humidity' }),
  group('pressure', 'Pressure', { pressure: 'Pressure' }),
  group('orientation', 'Orientation', { pitch: 'Pitch', roll: 'Roll', yaw: 'Yaw', compass: 'Compass' }),
  group('accelerometer', 'Acceleration', { accel_x: 'x', accel_y: 'y', accel_z: 'z' }),
  group('gyroscope', 'Angular rate', { gyro_x: 'x', gyro_y: 'y', gyro_z: 'z' }),
  group('magnetometer', 'Magnetic field', { mag_x: 'x', mag_y: 'y', mag_z: 'z' }),
];

/** Every channel the device view asks history for. */
export const DEVICE_CHANNELS: readonly string[] = CHART_GROUPS.flatMap((g) => g.channels.map((c) => c.name));
