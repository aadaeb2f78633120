/** Display formatting shared by the fleet, the charts and the indicator. */
import type { Channel } from './contract';

/** Decimals per channel: as fine as the sensor is meaningful, no finer. */
const DIGITS: Readonly<Record<string, number>> = {
  temperature: 1,
  humidity: 1,
  pressure: 1,
  pitch: 1,
  roll: 1,
  yaw: 1,
  compass: 1,
  accel_x: 3,
  accel_y: 3,
  accel_z: 3,
  gyro_x: 3,
  gyro_y: 3,
  gyro_z: 3,
  mag_x: 1,
  mag_y: 1,
  mag_z: 1,
};

/** A channel's value without its unit, `1013.2`. */
export function formatNumber(value: number, channel: Channel): string {
  return value.toFixed(DIGITS[channel.name] ?? 2);
}

/** `21.4 °C`. */
export function formatValue(value: number, channel: Channel): string {
  return `${formatNumber(value, channel)} ${channel.unit}`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** Local time of day, `14:03:07`. */
export function formatTime(epochMs: number): string {
  const d = new Date(epochMs);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Local date and time, `2026-11-22 14:03:07`. */
export function formatDateTime(epochMs: number): string {
  const d = new Date(epochMs);
  return `${String(d.getFullYear())}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${formatTime(epochMs)}`;
}

/** A duration in the largest whole unit that fits: `850 ms`, `42 s`, `15 min`, `3 h`, `7 d`. */
export function formatDuration(ms: number): string {
  const abs = Math.abs(ms);
  if (abs < 1000) {
    return `${String(Math.round(ms))} ms`;
  }
  if (abs < 60_000) {
    return `${String(Math.round(ms / 1000))} s`;
  }
  if (abs < 3_600_000) {
    return `${String(Math.round(ms / 60_000))} min`;
  }
  if (abs < 86_400_000) {
    return `${String(Math.round(ms / 3_600_000))} h`;
  }
  return `${String(Math.round(ms / 86_400_000))} d`;
}

/** How long ago, `just now`, `12 s ago`, `3 min ago`. */
export function formatAgo(epochMs: number, now: number): string {
  const age = now - epochMs;
  return age < 1500 ? 'just now' : `${formatDuration(age)} ago`;
}

/** A latency: `38 ms`, `1.2 s`. */
export function formatLatency(ms: number): string {
  return Math.abs(ms) < 1000 ? `${String(Math.round(ms))} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** The resolution of a chart: `raw readings` or `4 s buckets`. */
export function formatBucket(bucketMs: number): string {
  return bucketMs === 0 ? 'raw readings' : `${formatDuration(bucketMs)} buckets`;
}

/** A count with thin-space thousands: `12 345`. */
export function formatCount(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, '\u2009');
}

/** A range of times, the date shown once when both ends share it. */
export function formatRange(since: number, until: number): string {
  const a = formatDateTime(since);
  const b = formatDateTime(until);
  return a.slice(0, 10) === b.slice(0, 10) ? `${a} – ${b.slice(11)}` : `${a} – ${b}`;
}
