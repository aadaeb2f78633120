import { describe, expect, it } from 'vitest';

import { goldenNames, goldenText } from '@/test/contract-files';

import { DecodeError, type Reason } from './decode';
import {
  type ClientMessage,
  decodeClientMessage,
  decodeServerMessage,
  encodeClientMessage,
  type ServerMessage,
} from './protocol';

/** Every WebSocket golden file and the direction it travels. */
const DIRECTION: Readonly<Record<string, 'server' | 'client'>> = {
  'ws-error.json': 'server',
  'ws-frame.json': 'server',
  'ws-hello.json': 'server',
  'ws-status.json': 'server',
  'ws-subscribe.json': 'client',
  'ws-subscribed.json': 'server',
};

function reasonOf(decode: () => unknown): Reason | null {
  try {
    decode();
  } catch (error) {
    if (error instanceof DecodeError) {
      return error.reason;
    }
    throw error;
  }
  return null;
}

describe('golden WebSocket messages', () => {
  it('are all known to this test, so a new message kind cannot go unchecked', () => {
    expect(goldenNames('ws-')).toEqual(Object.keys(DIRECTION).sort());
  });

  it.each(Object.entries(DIRECTION).filter(([, d]) => d === 'server'))('%s decodes as a server message', (name) => {
    const text = goldenText(name);
    const message: ServerMessage = decodeServerMessage(text);
    expect(message.type).toBe((JSON.parse(text) as { type: unknown }).type);
  });

  it.each(Object.entries(DIRECTION).filter(([, d]) => d === 'client'))(
    '%s decodes as a client message and encodes back to the same JSON',
    (name) => {
      const text = goldenText(name);
      const message: ClientMessage = decodeClientMessage(text);
      expect(JSON.parse(encodeClientMessage(message))).toEqual(JSON.parse(text));
    },
  );

  it('ws-frame.json carries its readings with channel values apart from seq/ts/rx', () => {
    const message = decodeServerMessage(goldenText('ws-frame.json'));
    expect(message).toEqual({
      type: 'frame',
      device: 'pi-kitchen',
      boot: '5b0c2e9a7f3d4c1e',
      seq: [43, 44],
      readings: [
        { seq: 43, ts: 1795336201250, rx: 1795336201262, values: { temperature: 21.38, humidity: 44.0, pressure: 1013.2 } },
        { seq: 44, ts: 1795336202250, rx: 1795336202259, values: { temperature: 21.4, humidity: 44.0, pressure: 1013.2 } },
      ],
    });
  });

  it('ws-status.json keeps presence and outbox counters', () => {
    expect(decodeServerMessage(goldenText('ws-status.json'))).toEqual({
      type: 'status',
      device: 'pi-kitchen',
      online: true,
      boot: '5b0c2e9a7f3d4c1e',
      ts: 1795336199000,
      pending: 3,
      dropped: 0,
    });
  });
});

describe('decodeServerMessage rejects', () => {
  const frame = JSON.parse(goldenText('ws-frame.json')) as Record<string, unknown>;
  const status = JSON.parse(goldenText('ws-status.json')) as Record<string, unknown>;
  const row = { seq: 43, ts: 1795336201250, rx: 1795336201262, temperature: 21.38 };
  const cases: [string, string, Reason][] = [
    ['text that is not JSON', '{"type":', 'malformed_json'],
    ['a JSON array', '[1, 2]', 'not_an_object'],
    ['null', 'null', 'not_an_object'],
    ['a message without a type', '{"protocol": 1}', 'missing_field'],
    ['an unknown type', '{"type": "bogus"}', 'unexpected_kind'],
    ['hello without protocol', '{"type": "hello"}', 'missing_field'],
    ['hello with a string protocol', '{"type": "hello", "protocol": "1"}', 'wrong_type'],
    ['subscribed with a bad device id', '{"type": "subscribed", "devices": ["Bad Device"]}', 'bad_device_id'],
    ['a frame of a bad device id', JSON.stringify({ ...frame, device: 'Pi Kitchen' }), 'bad_device_id'],
    ['a frame with a bad boot id', JSON.stringify({ ...frame, boot: 'a b' }), 'wrong_type'],
    ['a frame without readings', JSON.stringify({ ...frame, readings: [] }), 'empty_batch'],
    ['a frame whose seq range lies', JSON.stringify({ ...frame, seq: [43, 45] }), 'out_of_range'],
    ['a frame with a one-number seq', JSON.stringify({ ...frame, seq: [43] }), 'wrong_type'],
    ['a negative seq', JSON.stringify({ ...frame, seq: [-1, -1], readings: [{ ...row, seq: -1 }] }), 'out_of_range'],
    ['a fractional seq', JSON.stringify({ ...frame, seq: [1.5, 1.5], readings: [{ ...row, seq: 1.5 }] }), 'wrong_type'],
    ['a reading without ts', JSON.stringify({ ...frame, seq: [43, 43], readings: [{ seq: 43, rx: 1, temperature: 1 }] }), 'missing_field'],
    ['a string value', JSON.stringify({ ...frame, seq: [43, 43], readings: [{ ...row, temperature: '21' }] }), 'wrong_type'],
    ['a value out of the channel range', JSON.stringify({ ...frame, seq: [43, 43], readings: [{ ...row, humidity: 101 }] }), 'out_of_range'],
    ['a reading that is not an object', JSON.stringify({ ...frame, seq: [43, 43], readings: [43] }), 'not_an_object'],
    ['a status with a string online', JSON.stringify({ ...status, online: 'yes' }), 'wrong_type'],
    ['a status without boot', JSON.stringify({ ...status, boot: undefined }), 'missing_field'],
    ['an error without a code', '{"type": "error", "message": "x"}', 'missing_field'],
  ];

  it.each(cases)('%s', (_label, text, reason) => {
    expect(reasonOf(() => decodeServerMessage(text))).toBe(reason);
  });

  it('accepts a status of a last will, whose time is unknown', () => {
    const will = decodeServerMessage(JSON.stringify({ ...status, online: false, ts: null, pending: null, dropped: null }));
    expect(will).toMatchObject({ type: 'status', online: false, ts: null, pending: null });
  });

  it('ignores fields a later server version may add', () => {
    expect(decodeServerMessage('{"type": "hello", "protocol": 1, "server": "x"}')).toEqual({ type: 'hello', protocol: 1 });
  });
});

describe('decodeClientMessage is as strict as the server', () => {
  it.each([
    ['an unknown field', '{"type": "subscribe", "devices": [], "extra": 1}', 'unknown_field'],
    ['a server message type', '{"type": "hello", "protocol": 1}', 'unexpected_kind'],
    ['devices that are not strings', '{"type": "subscribe", "devices": [1]}', 'wrong_type'],
    ['a bad device id', '{"type": "unsubscribe", "devices": ["-x"]}', 'bad_device_id'],
    ['more than 256 devices', JSON.stringify({ type: 'subscribe', devices: Array.from({ length: 257 }, (_, i) => `d${String(i)}`) }), 'too_large'],
  ] as [string, string, Reason][])('rejects %s', (_label, text, reason) => {
    expect(reasonOf(() => decodeClientMessage(text))).toBe(reason);
  });
});
