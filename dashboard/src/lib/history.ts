/**
 * The downsampled history answer (`GET /api/v1/devices/{id}/history`, docs/api.md),
 * decoded strictly into columns.
 *
 * Columnar like the wire: `t[i]` is a bucket's start (or a raw reading's `ts` when
 * `bucketMs` is 0), `n[i]` the readings in it, and each channel's `min`, `max` and
 * `mean` hold `null` where that channel had no value. Raw answers also carry `seq`
 * and `boot`, so a client can join them with live frames by sequence number.
 */
import { BOOT_ID_PATTERN, channel, MAX_SEQ } from './contract';
import {
  array,
  asObject,
  checkInt,
  checkPattern,
  DecodeError,
  int,
  type JsonObject,
  str,
} from './decode';

/** `[from, to]`, epoch ms. */
export type TimeRange = readonly [from: number, to: number];

/** One channel's columns; `null` where the channel had no value in that bucket. */
export interface ChannelColumns {
  readonly min: readonly (number | null)[];
  readonly max: readonly (number | null)[];
  readonly mean: readonly (number | null)[];
}

/** A decoded history answer. */
export interface HistoryAnswer {
  readonly device: string;
  readonly since: number;
  readonly until: number;
  /** Bucket width in ms; 0 when the answer holds the raw readings. */
  readonly bucketMs: number;
  readonly channels: readonly string[];
  readonly t: readonly number[];
  readonly n: readonly number[];
  readonly series: Readonly<Record<string, ChannelColumns>>;
  /** Stretches without readings although the device should have sent some. */
  readonly gaps: readonly TimeRange[];
  /** Raw answers only: each reading's sequence number and boot id. */
  readonly seq: readonly number[] | null;
  readonly boot: readonly string[] | null;
}

/** What to ask for. */
export interface HistoryQuery {
  readonly since: number;
  readonly until: number;
  readonly channels: readonly string[];
  /** Most buckets wanted, 1..10000. */
  readonly points: number;
}

/** Largest `points` the server accepts. */
export const MAX_POINTS = 10_000;

function column<T>(
  obj: JsonObject,
  key: string,
  path: string,
  length: number,
  check: (value: unknown, where: string) => T,
): T[] {
  const values = array(obj, key, path);
  const where = path === '' ? key : `${path}.${key}`;
  if (values.length !== length) {
    throw new DecodeError('wrong_type', `${where} has ${String(values.length)} items, t has ${String(length)}`, where);
  }
  return values.map((value, i) => check(value, `${where}[${String(i)}]`));
}

function finiteOrNull(value: unknown, where: string): number | null {
  if (value === null) {
    return null;
  }
  if (typeof value !== 'number') {
    throw new DecodeError('wrong_type', `${where} must be a number or null`, where);
  }
  if (!Number.isFinite(value)) {
    throw new DecodeError('not_finite', `${where} must be finite`, where);
  }
  return value;
}

function decodeGaps(body: JsonObject): TimeRange[] {
  return array(body, 'gaps').map((item, i) => {
    const where = `gaps[${String(i)}]`;
    if (!Array.isArray(item) || item.length !== 2) {
      throw new DecodeError('wrong_type', `${where} must be [from, to]`, where);
    }
    const pair = item as readonly unknown[];
    const from = checkInt(pair[0], `${where}[0]`);
    const to = checkInt(pair[1], `${where}[1]`);
    if (from > to) {
      throw new DecodeError('out_of_range', `${where} is reversed`, where);
    }
    return [from, to] as const;
  });
}

/**
 * Decode a history answer for `device`.
 *
 * @throws DecodeError if the body breaks docs/api.md: another device, columns of
 *   different lengths, times out of order, unknown channels, raw answers without
 *   `seq`/`boot`.
 */
export function decodeHistory(body: JsonObject, device: string): HistoryAnswer {
  const got = str(body, 'device');
  if (got !== device) {
    throw new DecodeError('device_mismatch', `asked for ${device}, got ${got.slice(0, 64)}`, 'device');
  }
  const since = int(body, 'since');
  const until = int(body, 'until');
  const bucketMs = int(body, 'bucket_ms');
  const channels = array(body, 'channels').map((name, i) => {
    const where = `channels[${String(i)}]`;
    if (typeof name !== 'string') {
      throw new DecodeError('wrong_type', `${where} must be a channel name`, where);
    }
    try {
      return channel(name).name;
    } catch {
      throw new DecodeError('out_of_range', `${where} is not a channel of contract v1`, where);
    }
  });
  const t = array(body, 't').map((value, i) => checkInt(value, `t[${String(i)}]`));
  for (let i = 1; i < t.length; i += 1) {
    if ((t[i] ?? 0) < (t[i - 1] ?? 0)) {
      throw new DecodeError('out_of_range', `t[${String(i)}] is earlier than the item before it`, `t[${String(i)}]`);
    }
  }
  const n = column(body, 'n', '', t.length, (value, where) => checkInt(value, where, 1));
  const seriesObj = asObject(body.series, 'series');
  const series: Record<string, ChannelColumns> = {};
  for (const name of channels) {
    const columns = asObject(seriesObj[name], `series.${name}`);
    const path = `series.${name}`;
    series[name] = {
      min: column(columns, 'min', path, t.length, finiteOrNull),
      max: column(columns, 'max', path, t.length, finiteOrNull),
      mean: column(columns, 'mean', path, t.length, finiteOrNull),
    };
  }
  let seq: number[] | null = null;
  let boot: string[] | null = null;
  if (bucketMs === 0) {
    seq = column(body, 'seq', '', t.length, (value, where) => checkInt(value, where, 0, MAX_SEQ));
    boot = column(body, 'boot', '', t.length, (value, where) => {
      if (typeof value !== 'string') {
        throw new DecodeError('wrong_type', `${where} must be a boot id`, where);
      }
      return checkPattern(value, BOOT_ID_PATTERN, where);
    });
  }
  return { device, since, until, bucketMs, channels, t, n, series, gaps: decodeGaps(body), seq, boot };
}
