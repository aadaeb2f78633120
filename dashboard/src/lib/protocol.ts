/**
 * The live WebSocket protocol v1 (`contract/live.py`): typed messages, a strict decoder
 * for what the server sends and an encoder for what the browser sends.
 *
 * Server messages may grow fields in later versions, so unknown fields are ignored;
 * unknown message types, missing or mistyped fields are rejected with a
 * {@link DecodeError}. Client messages are decoded as strictly as the server does
 * (`contract.live.parse_client_message`), so the golden files check both directions.
 */
import { BOOT_ID_PATTERN, DEVICE_ID_PATTERN, MAX_SEQ, MAX_SUBSCRIPTIONS } from './contract';
import {
  array,
  asObject,
  bool,
  checkInt,
  checkPattern,
  DecodeError,
  int,
  type JsonObject,
  nullable,
  parseJson,
  str,
} from './decode';
import { decodeReadingRow, type ReadingRow } from './reading';

/** First message on every connection. */
export interface HelloMessage {
  readonly type: 'hello';
  readonly protocol: number;
}

/** The connection's full subscription set after a change. */
export interface SubscribedMessage {
  readonly type: 'subscribed';
  readonly devices: readonly string[];
}

/** Consecutive readings of one device and one boot. */
export interface FrameMessage {
  readonly type: 'frame';
  readonly device: string;
  readonly boot: string;
  /** Sequence numbers of the first and the last reading. */
  readonly seq: readonly [number, number];
  readonly readings: readonly ReadingRow[];
}

/** A device's presence, broadcast to every connection. */
export interface StatusMessage {
  readonly type: 'status';
  readonly device: string;
  readonly online: boolean;
  readonly boot: string;
  /** When the agent published it; null on the last will. */
  readonly ts: number | null;
  readonly pending: number | null;
  readonly dropped: number | null;
}

/** The server refused something the browser sent. */
export interface ErrorMessage {
  readonly type: 'error';
  readonly code: string;
  readonly message: string;
}

/** Anything the server sends. */
export type ServerMessage = HelloMessage | SubscribedMessage | FrameMessage | StatusMessage | ErrorMessage;

/** Anything the browser sends. */
export interface ClientMessage {
  readonly type: 'subscribe' | 'unsubscribe';
  readonly devices: readonly string[];
}

function deviceId(obj: JsonObject, key: string): string {
  return checkPattern(str(obj, key), DEVICE_ID_PATTERN, key, 'bad_device_id');
}

function deviceIds(obj: JsonObject, key: string): string[] {
  return array(obj, key).map((item, i) => {
    const path = `${key}[${String(i)}]`;
    if (typeof item !== 'string') {
      throw new DecodeError('wrong_type', `${path} must be a device id`, path);
    }
    return checkPattern(item, DEVICE_ID_PATTERN, path, 'bad_device_id');
  });
}

function bootId(obj: JsonObject, key: string): string {
  return checkPattern(str(obj, key), BOOT_ID_PATTERN, key);
}

function decodeFrame(obj: JsonObject): FrameMessage {
  const device = deviceId(obj, 'device');
  const boot = bootId(obj, 'boot');
  const range = array(obj, 'seq');
  if (range.length !== 2) {
    throw new DecodeError('wrong_type', 'seq must be [first, last]', 'seq');
  }
  const first = checkInt(range[0], 'seq[0]', 0, MAX_SEQ);
  const last = checkInt(range[1], 'seq[1]', 0, MAX_SEQ);
  const readings = array(obj, 'readings').map((row, i) => decodeReadingRow(row, `readings[${String(i)}]`));
  const head = readings[0];
  const tail = readings[readings.length - 1];
  if (head === undefined || tail === undefined) {
    throw new DecodeError('empty_batch', 'a frame needs at least one reading', 'readings');
  }
  if (head.seq !== first || tail.seq !== last) {
    throw new DecodeError('out_of_range', 'seq does not match the first and last reading', 'seq');
  }
  return { type: 'frame', device, boot, seq: [first, last], readings };
}

function decodeStatus(obj: JsonObject): StatusMessage {
  return {
    type: 'status',
    device: deviceId(obj, 'device'),
    online: bool(obj, 'online'),
    boot: bootId(obj, 'boot'),
    ts: nullable(obj, 'ts', int),
    pending: nullable(obj, 'pending', int),
    dropped: nullable(obj, 'dropped', int),
  };
}

/**
 * Decode one text message from the server.
 *
 * @throws DecodeError if the text is not a v1 server message.
 */
export function decodeServerMessage(text: string): ServerMessage {
  const obj = asObject(parseJson(text));
  const kind = str(obj, 'type');
  switch (kind) {
    case 'hello':
      return { type: 'hello', protocol: int(obj, 'protocol', '', 1) };
    case 'subscribed':
      return { type: 'subscribed', devices: deviceIds(obj, 'devices') };
    case 'frame':
      return decodeFrame(obj);
    case 'status':
      return decodeStatus(obj);
    case 'error':
      return { type: 'error', code: str(obj, 'code'), message: str(obj, 'message') };
    default:
      throw new DecodeError('unexpected_kind', `unknown message type ${JSON.stringify(kind.slice(0, 32))}`, 'type');
  }
}

/**
 * Decode a browser message exactly as the server would accept it.
 *
 * @throws DecodeError if the server would reject the text.
 */
export function decodeClientMessage(text: string): ClientMessage {
  const obj = asObject(parseJson(text));
  const kind = str(obj, 'type');
  if (kind !== 'subscribe' && kind !== 'unsubscribe') {
    throw new DecodeError('unexpected_kind', `unknown message type ${JSON.stringify(kind.slice(0, 32))}`, 'type');
  }
  const extra = Object.keys(obj).find((k) => k !== 'type' && k !== 'devices');
  if (extra !== undefined) {
    throw new DecodeError('unknown_field', `unknown field ${JSON.stringify(extra.slice(0, 64))}`, extra);
  }
  const devices = deviceIds(obj, 'devices');
  if (devices.length > MAX_SUBSCRIPTIONS) {
    throw new DecodeError('too_large', `at most ${String(MAX_SUBSCRIPTIONS)} devices`, 'devices');
  }
  return { type: kind, devices };
}

/** Serialize a browser message. */
export function encodeClientMessage(message: ClientMessage): string {
  return JSON.stringify({ type: message.type, devices: message.devices });
}
