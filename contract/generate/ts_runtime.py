"""The fixed part of the generated TypeScript module: decoding helpers and named checks.

Emitted once into ``dashboard/src/generated/contract.ts`` after the constants (it uses
``REASONS`` and ``CHANNELS``); the per-message decoders the generator writes call these.
Reason codes are those of ``contract/errors.py``, so a rejection reads the same in the
browser and on the server.
"""

RUNTIME = """\
// --- decoding runtime ----------------------------------------------------------------

/** Why a value was rejected: a reason code of `contract/errors.py`. */
export type Reason = (typeof REASONS)[number];

/** A value that does not follow the contract. */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
  /** Machine-readable reason code. */
  readonly reason: Reason;
  /** Human-readable explanation. */
  readonly detail: string;
  /** Offending field (a dotted wire path), if one is to blame. */
  readonly field: string | null;

  constructor(reason: Reason, detail: string, field: string | null = null) {
    super(`${reason}: ${detail}`);
    this.reason = reason;
    this.detail = detail;
    this.field = field;
  }
}

/** A JSON object whose fields have not been checked yet. */
export type JsonObject = Readonly<Record<string, unknown>>;

/** Checks one value and returns it typed; `path` names it in errors. */
export type Decoder<T> = (value: unknown, path: string) => T;

/** Parse JSON text, mapping syntax errors to `malformed_json`. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new DecodeError('malformed_json', 'not valid JSON');
  }
}

function at(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function index(path: string, i: number): string {
  return `${path}[${String(i)}]`;
}

/** Require a JSON object (not an array, not null). */
export function asObject(value: unknown, path = ''): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new DecodeError('not_an_object', `${path === '' ? 'message' : path} must be a JSON object`, path || null);
  }
  return value as JsonObject;
}

function get<T>(obj: JsonObject, key: string, path: string, decode: Decoder<T>): T {
  const where = at(path, key);
  if (!Object.hasOwn(obj, key)) {
    throw new DecodeError('missing_field', `missing ${where}`, where);
  }
  return decode(obj[key], where);
}

function getOptional<T>(obj: JsonObject, key: string, path: string, decode: Decoder<T>): T | null {
  return Object.hasOwn(obj, key) ? decode(obj[key], at(path, key)) : null;
}

function rejectUnknown(obj: JsonObject, known: ReadonlySet<string>, path: string): void {
  const unknown = Object.keys(obj)
    .filter((key) => !known.has(key))
    .sort();
  const first = unknown[0];
  if (first !== undefined) {
    const key = first.slice(0, 64);
    throw new DecodeError('unknown_field', `unknown field ${JSON.stringify(key)}`, at(path, key));
  }
}

function integer(min: number, max: number): Decoder<number> {
  return (value, path) => {
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      throw new DecodeError('wrong_type', `${path} must be an integer`, path);
    }
    if (value < min || value > max) {
      throw new DecodeError('out_of_range', `${path} must be in [${String(min)}, ${String(max)}]`, path);
    }
    return value;
  };
}

function checkNumber(value: unknown, path: string, min: number, max: number): number {
  if (typeof value !== 'number') {
    throw new DecodeError('wrong_type', `${path} must be a number`, path);
  }
  if (!Number.isFinite(value)) {
    throw new DecodeError('not_finite', `${path} must be finite`, path);
  }
  if (value < min || value > max) {
    throw new DecodeError('out_of_range', `${path} must be in [${String(min)}, ${String(max)}]`, path);
  }
  return value;
}

function number(min: number, max: number, minExcluded = false): Decoder<number> {
  return (value, path) => {
    const checked = checkNumber(value, path, min, max);
    if (minExcluded && checked === min) {
      throw new DecodeError('out_of_range', `${path} must be in (${String(min)}, ${String(max)}]`, path);
    }
    return checked;
  };
}

function str(pattern: RegExp | null, reason: Reason): Decoder<string> {
  return (value, path) => {
    if (typeof value !== 'string') {
      throw new DecodeError('wrong_type', `${path} must be a string`, path);
    }
    if (pattern !== null && !pattern.test(value)) {
      throw new DecodeError(reason, `invalid ${path} ${JSON.stringify(value.slice(0, 64))}`, path);
    }
    return value;
  };
}

const boolean: Decoder<boolean> = (value, path) => {
  if (typeof value !== 'boolean') {
    throw new DecodeError('wrong_type', `${path} must be true or false`, path);
  }
  return value;
};

function constant<T extends string | number>(expected: T, reason: Reason): Decoder<T> {
  return (value, path) => {
    if (value !== expected) {
      throw new DecodeError(reason, `${path} must be ${JSON.stringify(expected)}`, path);
    }
    return expected;
  };
}

function choice<T extends string>(options: readonly T[]): Decoder<T> {
  const known = new Set<string>(options);
  return (value, path) => {
    if (typeof value !== 'string') {
      throw new DecodeError('wrong_type', `${path} must be a string`, path);
    }
    if (!known.has(value)) {
      throw new DecodeError('out_of_range', `${path} must be one of ${options.join(', ')}`, path);
    }
    return value as T;
  };
}

function nullable<T>(decode: Decoder<T>): Decoder<T | null> {
  return (value, path) => (value === null ? null : decode(value, path));
}

function list<T>(decode: Decoder<T>, min: number, max: number, tooShort: Reason, tooLong: Reason): Decoder<T[]> {
  return (value, path) => {
    if (!Array.isArray(value)) {
      throw new DecodeError('wrong_type', `${path} must be an array`, path);
    }
    const items = value as readonly unknown[];
    if (items.length < min) {
      throw new DecodeError(tooShort, `${path} needs at least ${String(min)} items`, path);
    }
    if (items.length > max) {
      throw new DecodeError(tooLong, `${path} holds more than ${String(max)} items`, path);
    }
    return items.map((item, i) => decode(item, index(path, i)));
  };
}

function pair(
  decode: Decoder<number>,
  labels: readonly [string, string],
  ordered: boolean,
): Decoder<readonly [number, number]> {
  return (value, path) => {
    if (!Array.isArray(value) || value.length !== 2) {
      throw new DecodeError('wrong_type', `${path} must be [${labels[0]}, ${labels[1]}]`, path);
    }
    const items = value as readonly unknown[];
    const a = decode(items[0], index(path, 0));
    const b = decode(items[1], index(path, 1));
    if (ordered && a > b) {
      throw new DecodeError('out_of_range', `${path} is reversed: ${labels[0]} after ${labels[1]}`, path);
    }
    return [a, b] as const;
  };
}

function channelValues(obj: JsonObject, path: string, atLeastOne: boolean): Record<string, number> {
  const values: Record<string, number> = {};
  let count = 0;
  for (const c of CHANNELS) {
    if (Object.hasOwn(obj, c.name)) {
      values[c.name] = checkNumber(obj[c.name], at(path, c.name), c.minimum, c.maximum);
      count += 1;
    }
  }
  if (atLeastOne && count === 0) {
    throw new DecodeError('no_values', `${path === '' ? 'message' : path} holds no channel value`, path || null);
  }
  return values;
}

function channelMap<T>(decode: Decoder<T>): Decoder<Record<string, T>> {
  return (value, path) => {
    const obj = asObject(value, path);
    const result: Record<string, T> = {};
    for (const c of CHANNELS) {
      if (Object.hasOwn(obj, c.name)) {
        result[c.name] = decode(obj[c.name], at(path, c.name));
      }
    }
    return result;
  };
}

// --- named checks: rules a JSON Schema cannot express -----------------------------------

function checkSeqMatchesReadings(
  seq: readonly [number, number],
  rows: readonly { readonly seq: number }[],
  path: string,
): void {
  if (rows[0]?.seq !== seq[0] || rows[rows.length - 1]?.seq !== seq[1]) {
    throw new DecodeError('out_of_range', `${path} does not match the first and last reading`, path);
  }
}

function checkAscending(values: readonly number[], path: string): void {
  for (let i = 1; i < values.length; i += 1) {
    if ((values[i] ?? 0) < (values[i - 1] ?? 0)) {
      throw new DecodeError('out_of_range', `${index(path, i)} is earlier than the item before it`, index(path, i));
    }
  }
}

function checkSameLength(
  length: number,
  reference: string,
  columns: readonly (readonly [string, readonly unknown[] | null])[],
): void {
  for (const [where, column] of columns) {
    if (column !== null && column.length !== length) {
      const message = `${where} has ${String(column.length)} items, ${reference} has ${String(length)}`;
      throw new DecodeError('out_of_range', message, where);
    }
  }
}

function checkPresent(value: unknown, path: string): void {
  if (value === null) {
    throw new DecodeError('missing_field', `missing ${path}`, path);
  }
}

function checkLater(earlier: number, later: number, path: string): void {
  if (later <= earlier) {
    throw new DecodeError('out_of_range', `${path} must be after ${String(earlier)}`, path);
  }
}

function checkKeysListed(map: Readonly<Record<string, unknown>>, names: readonly string[], path: string): void {
  for (const name of names) {
    if (!Object.hasOwn(map, name)) {
      throw new DecodeError('missing_field', `missing ${at(path, name)}`, at(path, name));
    }
  }
}
"""
