/**
 * The parts of wire contract v1 the dashboard needs, mirrored from `contract/`.
 *
 * `contract/channels.py` and `contract/live.py` are the single definition; this module
 * copies the few constants the browser needs, and `contract.test.ts` checks the copy
 * against `contract/schemas/reading.json` so the two cannot drift apart silently.
 */

/** WebSocket protocol version spoken by `/ws/live/` (`contract.live.PROTOCOL`). */
export const PROTOCOL = 1;

/** Most devices one connection may subscribe to (`contract.live.MAX_SUBSCRIPTIONS`). */
export const MAX_SUBSCRIPTIONS = 256;

/** Largest sequence number (`contract.models.MAX_SEQ`), exact in JavaScript numbers. */
export const MAX_SEQ = Number.MAX_SAFE_INTEGER;

/** Device ids (`contract.topics.DEVICE_ID_PATTERN`). */
export const DEVICE_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** Boot ids (`contract.models.BOOT_ID_PATTERN`). */
export const BOOT_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** One measured quantity, as in `contract.channels.Channel`. */
export interface Channel {
  /** Wire name: payload key, store column, chart series id. */
  readonly name: string;
  /** Display label. */
  readonly label: string;
  /** Display unit. */
  readonly unit: string;
  /** Smallest accepted value (inclusive). */
  readonly minimum: number;
  /** Largest accepted value (inclusive). */
  readonly maximum: number;
  /** Chart group the dashboard draws it in. */
  readonly group: string;
}

/** Every channel of contract v1, in contract order. */
export const CHANNELS: readonly Channel[] = [
  { name: 'temperature', label: 'Temperature', unit: '°C', minimum: -40, maximum: 125, group: 'environment' },
  { name: 'humidity', label: 'Humidity', unit: '%RH', minimum: 0, maximum: 100, group: 'environment' },
  { name: 'pressure', label: 'Pressure', unit: 'hPa', minimum: 260, maximum: 1260, group: 'environment' },
  { name: 'pitch', label: 'Pitch', unit: '°', minimum: 0, maximum: 360, group: 'orientation' },
  { name: 'roll', label: 'Roll', unit: '°', minimum: 0, maximum: 360, group: 'orientation' },
  { name: 'yaw', label: 'Yaw', unit: '°', minimum: 0, maximum: 360, group: 'orientation' },
  { name: 'accel_x', label: 'Acceleration x', unit: 'g', minimum: -16, maximum: 16, group: 'accelerometer' },
  { name: 'accel_y', label: 'Acceleration y', unit: 'g', minimum: -16, maximum: 16, group: 'accelerometer' },
  { name: 'accel_z', label: 'Acceleration z', unit: 'g', minimum: -16, maximum: 16, group: 'accelerometer' },
  { name: 'gyro_x', label: 'Angular rate x', unit: 'rad/s', minimum: -35, maximum: 35, group: 'gyroscope' },
  { name: 'gyro_y', label: 'Angular rate y', unit: 'rad/s', minimum: -35, maximum: 35, group: 'gyroscope' },
  { name: 'gyro_z', label: 'Angular rate z', unit: 'rad/s', minimum: -35, maximum: 35, group: 'gyroscope' },
  { name: 'mag_x', label: 'Magnetic field x', unit: 'µT', minimum: -1600, maximum: 1600, group: 'magnetometer' },
  { name: 'mag_y', label: 'Magnetic field y', unit: 'µT', minimum: -1600, maximum: 1600, group: 'magnetometer' },
  { name: 'mag_z', label: 'Magnetic field z', unit: 'µT', minimum: -1600, maximum: 1600, group: 'magnetometer' },
  { name: 'compass', label: 'Compass', unit: '°', minimum: 0, maximum: 360, group: 'magnetometer' },
];

const CHANNELS_BY_NAME: ReadonlyMap<string, Channel> = new Map(CHANNELS.map((c) => [c.name, c]));

/**
 * Look a channel up by its wire name.
 *
 * @throws Error when `name` is not a channel of contract v1 (a programming error).
 */
export function channel(name: string): Channel {
  const found = CHANNELS_BY_NAME.get(name);
  if (found === undefined) {
    throw new Error(`unknown channel ${JSON.stringify(name)}`);
  }
  return found;
}

/** Channels of the `environment` group: the three charts every device shows. */
export const ENVIRONMENT_CHANNELS: readonly Channel[] = CHANNELS.filter((c) => c.group === 'environment');
