/** Display formatting shared by the list and the charts. */
import type { Channel } from './contract';

const DIGITS: Readonly<Record<string, number>> = { temperature: 1, humidity: 1, pressure: 1 };

/** `21.4 °C`; two decimals for channels without a fixed precision. */
export function formatValue(value: number, channel: Channel): string {
  return `${value.toFixed(DIGITS[channel.name] ?? 2)} ${channel.unit}`;
}

/** Local time of day, `14:03:07`. */
export function formatTime(epochMs: number): string {
  return new Date(epochMs).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}
