/**
 * A reading as the browser sees it (`contract.live.reading_row`): the same shape in
 * WebSocket frames, in the REST history and in a device's `latest`.
 */
import { channel, CHANNELS, MAX_SEQ } from './contract';
import { asObject, checkInt, DecodeError, type JsonObject } from './decode';

/** One sample of a device's sensors. */
export interface ReadingRow {
  /** Per-device, per-boot sequence number. */
  readonly seq: number;
  /** Device timestamp, epoch milliseconds. */
  readonly ts: number;
  /** When the bridge received it, epoch milliseconds. */
  readonly rx: number;
  /** Channel name -> value; only the channels the device has. */
  readonly values: Readonly<Record<string, number>>;
}

const KNOWN = new Set(CHANNELS.map((c) => c.name));
const META = new Set(['seq', 'ts', 'rx']);

/**
 * Decode one reading row.
 *
 * Channel values must be finite numbers inside the channel's range; `null` counts as
 * absent (a store column the device does not fill). Unknown keys holding numbers are
 * kept, so a newer server with an extra channel does not break an older dashboard.
 *
 * @param value The parsed JSON value.
 * @param path Where the row sits in its message, for error messages.
 * @throws DecodeError if the row breaks the contract.
 */
export function decodeReadingRow(value: unknown, path: string): ReadingRow {
  const obj: JsonObject = asObject(value, path);
  for (const key of META) {
    if (!Object.hasOwn(obj, key)) {
      throw new DecodeError('missing_field', `missing ${path}.${key}`, `${path}.${key}`);
    }
  }
  const seq = checkInt(obj.seq, `${path}.seq`, 0, MAX_SEQ);
  const ts = checkInt(obj.ts, `${path}.ts`, 0);
  const rx = checkInt(obj.rx, `${path}.rx`, 0);
  const values: Record<string, number> = {};
  for (const [key, raw] of Object.entries(obj)) {
    if (META.has(key) || raw === null) {
      continue;
    }
    const where = `${path}.${key}`;
    if (typeof raw !== 'number') {
      throw new DecodeError('wrong_type', `${where} must be a number`, where);
    }
    if (!Number.isFinite(raw)) {
      throw new DecodeError('not_finite', `${where} must be finite`, where);
    }
    if (KNOWN.has(key)) {
      const { minimum, maximum } = channel(key);
      if (raw < minimum || raw > maximum) {
        throw new DecodeError('out_of_range', `${where} must be in [${String(minimum)}, ${String(maximum)}]`, where);
      }
    }
    values[key] = raw;
  }
  return { seq, ts, rx, values };
}
