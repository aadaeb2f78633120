/**
 * Strict decoding helpers shared by the WebSocket protocol and the REST client.
 *
 * Everything that arrives over the network is `unknown` until one of these helpers has
 * checked it. A failure throws {@link DecodeError}, whose `reason` uses the reason codes
 * of `contract/errors.py`, so a rejection reads the same in the browser and on the server.
 */

/** Why a message was rejected; the subset of `contract.errors.Reason` the browser meets. */
export type Reason =
  | 'malformed_json'
  | 'not_an_object'
  | 'unexpected_kind'
  | 'missing_field'
  | 'unknown_field'
  | 'too_large'
  | 'wrong_type'
  | 'not_finite'
  | 'out_of_range'
  | 'bad_device_id'
  | 'device_mismatch'
  | 'empty_batch';

/** A value that does not follow the contract. */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
  /** Machine-readable reason code. */
  readonly reason: Reason;
  /** Human-readable explanation. */
  readonly detail: string;
  /** Offending field (a dotted path), if one is to blame. */
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

/** Parse JSON text, mapping syntax errors to `malformed_json`. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new DecodeError('malformed_json', 'not valid JSON');
  }
}

/** Require a JSON object (not an array, not null). */
export function asObject(value: unknown, field: string | null = null): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new DecodeError('not_an_object', `${field ?? 'message'} must be a JSON object`, field);
  }
  return value as JsonObject;
}

function present(obj: JsonObject, key: string, path: string): unknown {
  if (!Object.hasOwn(obj, key)) {
    throw new DecodeError('missing_field', `missing ${path}`, path);
  }
  return obj[key];
}

function join(prefix: string, key: string): string {
  return prefix === '' ? key : `${prefix}.${key}`;
}

/** A required string field. */
export function str(obj: JsonObject, key: string, prefix = ''): string {
  const path = join(prefix, key);
  const value = present(obj, key, path);
  if (typeof value !== 'string') {
    throw new DecodeError('wrong_type', `${path} must be a string`, path);
  }
  return value;
}

/** A required boolean field. */
export function bool(obj: JsonObject, key: string, prefix = ''): boolean {
  const path = join(prefix, key);
  const value = present(obj, key, path);
  if (typeof value !== 'boolean') {
    throw new DecodeError('wrong_type', `${path} must be true or false`, path);
  }
  return value;
}

/** Check that `value` is an integer in `[min, max]`. */
export function checkInt(value: unknown, path: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new DecodeError('wrong_type', `${path} must be an integer`, path);
  }
  if (value < min || value > max) {
    throw new DecodeError('out_of_range', `${path} must be in [${String(min)}, ${String(max)}]`, path);
  }
  return value;
}

/** A required integer field in `[min, max]`. */
export function int(obj: JsonObject, key: string, prefix = '', min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const path = join(prefix, key);
  return checkInt(present(obj, key, path), path, min, max);
}

/** A required field that may be `null`; `read` decodes it otherwise. */
export function nullable<T>(obj: JsonObject, key: string, read: (o: JsonObject, k: string) => T): T | null {
  if (Object.hasOwn(obj, key) && obj[key] === null) {
    return null;
  }
  return read(obj, key);
}

/** A required array field. */
export function array(obj: JsonObject, key: string, prefix = ''): readonly unknown[] {
  const path = join(prefix, key);
  const value = present(obj, key, path);
  if (!Array.isArray(value)) {
    throw new DecodeError('wrong_type', `${path} must be an array`, path);
  }
  return value as readonly unknown[];
}

/** Check a string against an id pattern, with a given reason on mismatch. */
export function checkPattern(
  value: string,
  pattern: RegExp,
  path: string,
  reason: Reason = 'wrong_type',
): string {
  if (!pattern.test(value)) {
    throw new DecodeError(reason, `invalid ${path} ${JSON.stringify(value.slice(0, 64))}`, path);
  }
  return value;
}
