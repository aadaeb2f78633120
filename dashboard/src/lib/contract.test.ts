/**
 * The generated contract module against the repository's golden files and schemas: every
 * WebSocket and REST golden decodes, broken ones are refused with the contract's reason,
 * and the constants are those of the schemas. The Python tests check the same files.
 */
import { describe, expect, it } from 'vitest';

import { goldenNames, goldenObject, goldenText, schema } from '@/test/contract-files';

import {
  BOOT_ID_PATTERN,
  CHANNEL_GROUPS,
  CHANNELS,
  type ClientMessage,
  decodeApiTokenCreated,
  decodeApiTokenList,
  decodeApiTokenRequest,
  decodeClientMessage,
  decodeCsrfToken,
  decodeCurrentUser,
  decodeDeviceList,
  decodeErrorBody,
  DecodeError,
  decodeExportRow,
  decodeHealthBody,
  decodeHistoryAnswer,
  decodeLoginRequest,
  decodeReadingsPage,
  decodeServerMessage,
  decodeWsTicket,
  DEVICE_ID_PATTERN,
  encodeClientMessage,
  ENVIRONMENT_CHANNELS,
  isChannelName,
  MAX_CLIENT_MESSAGE_BYTES,
  MAX_SUBSCRIPTIONS,
  PROTOCOL,
  type Reason,
  REASONS,
} from './contract';

type Decode = (text: string) => unknown;

const fromJson =
  (decode: (value: unknown) => unknown): Decode =>
  (text) =>
    decode(JSON.parse(text));

/** Every WebSocket and REST golden file and how the dashboard decodes it. */
const DECODERS: Readonly<Record<string, Decode>> = {
  'ws-error.json': decodeServerMessage,
  'ws-frame.json': decodeServerMessage,
  'ws-hello.json': decodeServerMessage,
  'ws-status-offline.json': decodeServerMessage,
  'ws-status.json': decodeServerMessage,
  'ws-subscribe.json': decodeClientMessage,
  'ws-subscribed.json': decodeServerMessage,
  'ws-unsubscribe.json': decodeClientMessage,
  'rest-devices.json': fromJson(decodeDeviceList),
  'rest-error.json': fromJson(decodeErrorBody),
  'rest-export-row.json': fromJson(decodeExportRow),
  'rest-health.json': fromJson(decodeHealthBody),
  'rest-history-bucketed.json': fromJson(decodeHistoryAnswer),
  'rest-history-raw.json': fromJson(decodeHistoryAnswer),
  'rest-readings.json': fromJson(decodeReadingsPage),
  'rest-login.json': fromJson(decodeLoginRequest),
  'rest-me.json': fromJson(decodeCurrentUser),
  'rest-csrf.json': fromJson(decodeCsrfToken),
  'rest-ticket.json': fromJson(decodeWsTicket),
  'rest-api-tokens.json': fromJson(decodeApiTokenList),
  'rest-api-token-request.json': fromJson(decodeApiTokenRequest),
  'rest-api-token-created.json': fromJson(decodeApiTokenCreated),
  'rest-error-not-authenticated.json': fromJson(decodeErrorBody),
  'rest-error-permission-denied.json': fromJson(decodeErrorBody),
  'rest-error-rate-limited.json': fromJson(decodeErrorBody),
  'rest-error-csrf-failed.json': fromJson(decodeErrorBody),
};
const GOLDEN = Object.keys(DECODERS).sort();
/** REST request bodies: read as strictly as the server reads them, like the WebSocket's browser messages. */
const REQUESTS: ReadonlySet<string> = new Set(['rest-login.json', 'rest-api-token-request.json']);

function decoderOf(name: string): Decode {
  const decode = DECODERS[name];
  if (decode === undefined) {
    throw new Error(`no decoder for ${name}`);
  }
  return decode;
}

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

/** A golden with `changes` applied (`undefined` deletes a field), as text. */
function mutated(name: string, changes: Readonly<Record<string, unknown>>): string {
  const obj = goldenObject(name);
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) {
      Reflect.deleteProperty(obj, key);
    } else {
      obj[key] = value;
    }
  }
  return JSON.stringify(obj);
}

describe('golden WebSocket and REST messages', () => {
  it('are all known to this test, so a new message cannot go unchecked', () => {
    expect([...goldenNames('ws-'), ...goldenNames('rest-')].sort()).toEqual(GOLDEN);
  });

  it.each(GOLDEN)('%s decodes', (name) => {
    expect(() => decoderOf(name)(goldenText(name))).not.toThrow();
  });

  it.each(GOLDEN)('%s without any one of its fields is refused', (name) => {
    // Channel values are each optional (a reading carries the channels its device has).
    for (const key of Object.keys(goldenObject(name)).filter((k) => !isChannelName(k))) {
      expect(reasonOf(() => decoderOf(name)(mutated(name, { [key]: undefined }))), key).not.toBeNull();
    }
  });

  it.each(GOLDEN)('%s with any one field of the wrong type is refused', (name) => {
    for (const key of Object.keys(goldenObject(name))) {
      expect(reasonOf(() => decoderOf(name)(mutated(name, { [key]: { wrong: 1 } }))), key).not.toBeNull();
    }
  });

  it.each(GOLDEN.filter((n) => decoderOf(n) !== decodeClientMessage && !REQUESTS.has(n)))(
    '%s with a field a later server may add decodes the same',
    (name) => {
      const decode = decoderOf(name);
      expect(decode(mutated(name, { added_later: [1, 'x'] }))).toEqual(decode(goldenText(name)));
    },
  );

  it.each(GOLDEN.filter((n) => decoderOf(n) === decodeClientMessage))(
    '%s decodes as strictly as the server and encodes back to the same JSON',
    (name) => {
      const message: ClientMessage = decodeClientMessage(goldenText(name));
      expect(JSON.parse(encodeClientMessage(message))).toEqual(goldenObject(name));
      expect(reasonOf(() => decodeClientMessage(mutated(name, { extra: 1 })))).toBe('unknown_field');
    },
  );
  it.each([...REQUESTS])('%s is refused with a field the server does not know', (name) => {
    expect(reasonOf(() => decoderOf(name)(mutated(name, { extra: 1 })))).toBe('unknown_field');
  });
});

describe('decoded values: wire names in camelCase, channel values apart', () => {
  it('a frame carries each reading with both clocks', () => {
    expect(decodeServerMessage(goldenText('ws-frame.json'))).toEqual({
      type: 'frame',
      device: 'pi-kitchen',
      boot: '5b0c2e9a7f3d4c1e',
      seq: [43, 44],
      readings: [
        {
          seq: 43,
          deviceTs: 1795336201250,
          receivedTs: 1795336201262,
          values: { temperature: 21.38, humidity: 44.0, pressure: 1013.2 },
        },
        {
          seq: 44,
          deviceTs: 1795336202250,
          receivedTs: 1795336202259,
          values: { temperature: 21.4, humidity: 44.0, pressure: 1013.2 },
        },
      ],
    });
  });

  it('a status says when the device published it and when the bridge received it', () => {
    expect(decodeServerMessage(goldenText('ws-status.json'))).toEqual({
      type: 'status',
      device: 'pi-kitchen',
      online: true,
      boot: '5b0c2e9a7f3d4c1e',
      deviceTs: 1795336199000,
      receivedTs: 1795336199012,
      pending: 3,
      dropped: 0,
    });
    expect(decodeServerMessage(goldenText('ws-status-offline.json'))).toMatchObject({
      online: false,
      deviceTs: null,
      receivedTs: 1795336290031,
      pending: null,
    });
  });

  it('the device list times every device on the bridge clock', () => {
    const { devices } = decodeDeviceList(goldenObject('rest-devices.json'));
    expect(devices.map((d) => [d.device, d.statusReceivedTs, d.lastReceivedTs])).toEqual([
      ['garage', null, 1795336200010],
      ['pi-kitchen', 1795336199012, 1795336202259],
    ]);
    expect(devices[1]?.latest).toEqual({
      seq: 44,
      deviceTs: 1795336202250,
      receivedTs: 1795336202259,
      values: { temperature: 21.4, humidity: 44.0, pressure: 1013.2 },
    });
  });

  it('a raw history answer has seq and boot, a bucketed one has neither', () => {
    const raw = decodeHistoryAnswer(goldenObject('rest-history-raw.json'));
    expect(raw).toMatchObject({ bucketMs: 0, seq: [43, 44], deviceTs: [1795336201250, 1795336202250] });
    const bucketed = decodeHistoryAnswer(goldenObject('rest-history-bucketed.json'));
    expect(bucketed).toMatchObject({ bucketMs: 6000, seq: null, boot: null });
    expect(bucketed.gapsDeviceTs).toEqual([[1795333000000, 1795333600000]]);
    expect(bucketed.series.humidity?.mean).toEqual([44.1, null]);
  });
});

describe('the decoders run the checks a schema cannot express', () => {
  const row = { seq: 43, device_ts: 1795336201250, received_ts: 1795336201262, temperature: 21.38 };
  const frame = (changes: Readonly<Record<string, unknown>>) => mutated('ws-frame.json', changes);
  const history = (changes: Readonly<Record<string, unknown>>) => fromJson(decodeHistoryAnswer)(mutated('rest-history-bucketed.json', changes));
  const cases: [string, () => unknown, Reason][] = [
    ['text that is not JSON', () => decodeServerMessage('{"type":'), 'malformed_json'],
    ['a JSON array', () => decodeServerMessage('[1, 2]'), 'not_an_object'],
    ['a message without a type', () => decodeServerMessage('{"protocol": 2}'), 'missing_field'],
    ['an unknown type', () => decodeServerMessage('{"type": "bogus"}'), 'unexpected_kind'],
    ['a bad device id', () => decodeServerMessage(frame({ device: 'Pi Kitchen' })), 'bad_device_id'],
    ['a frame without readings', () => decodeServerMessage(frame({ readings: [] })), 'empty_batch'],
    ['a frame whose seq range lies', () => decodeServerMessage(frame({ seq: [43, 45] })), 'out_of_range'],
    ['a reversed seq range', () => decodeServerMessage(frame({ seq: [44, 43] })), 'out_of_range'],
    ['a fractional seq', () => decodeServerMessage(frame({ seq: [1.5, 1.5], readings: [{ ...row, seq: 1.5 }] })), 'wrong_type'],
    ['a reading without a device time', () => decodeServerMessage(frame({ seq: [43, 43], readings: [{ ...row, device_ts: undefined }] })), 'missing_field'],
    ['a reading with the old ts and rx', () => decodeServerMessage(frame({ seq: [43, 43], readings: [{ seq: 43, ts: 1, rx: 2, temperature: 1 }] })), 'missing_field'],
    ['a reading without any channel value', () => decodeServerMessage(frame({ seq: [43, 43], readings: [{ ...row, temperature: undefined }] })), 'no_values'],
    ['a value out of its channel range', () => decodeServerMessage(frame({ seq: [43, 43], readings: [{ ...row, humidity: 101 }] })), 'out_of_range'],
    ['a string value', () => decodeServerMessage(frame({ seq: [43, 43], readings: [{ ...row, temperature: '21' }] })), 'wrong_type'],
    ['columns of different lengths', () => history({ n: [6] }), 'out_of_range'],
    ['a series column of another length', () => history({ series: { temperature: { min: [1], max: [1], mean: [1] }, humidity: { min: [1, 2], max: [1, 2], mean: [1, 2] } } }), 'out_of_range'],
    ['times going backwards', () => history({ device_ts: [1795332006000, 1795332000000] }), 'out_of_range'],
    ['an unknown channel', () => history({ channels: ['temperature', 'smell'] }), 'out_of_range'],
    ['a listed channel without a series', () => history({ channels: ['temperature', 'humidity', 'pressure'] }), 'missing_field'],
    ['a raw answer without seq', () => history({ bucket_ms: 0 }), 'missing_field'],
    ['a reversed gap', () => history({ gaps_device_ts: [[5, 1]] }), 'out_of_range'],
    ['a string in a series', () => history({ series: { temperature: { min: ['1', 2], max: [1, 2], mean: [1, 2] }, humidity: { min: [1, 2], max: [1, 2], mean: [1, 2] } } }), 'wrong_type'],
  ];

  it.each(cases)('refuses %s', (_label, decode, reason) => {
    expect(reasonOf(decode)).toBe(reason);
  });
});

describe('decodeClientMessage is as strict as the server', () => {
  it.each([
    ['an unknown field', '{"type": "subscribe", "devices": [], "extra": 1}', 'unknown_field'],
    ['a server message type', '{"type": "hello", "protocol": 2}', 'unexpected_kind'],
    ['a type that is not a string', '{"type": 1, "devices": []}', 'unexpected_kind'],
    ['no type', '{"devices": []}', 'missing_field'],
    ['devices that are not strings', '{"type": "subscribe", "devices": [1]}', 'wrong_type'],
    ['a bad device id', '{"type": "unsubscribe", "devices": ["-x"]}', 'bad_device_id'],
    [
      `more than ${String(MAX_SUBSCRIPTIONS)} devices`,
      JSON.stringify({ type: 'subscribe', devices: Array.from({ length: MAX_SUBSCRIPTIONS + 1 }, (_, i) => `d${String(i)}`) }),
      'too_large',
    ],
    ['a message over the size limit', `{"type": "subscribe", "devices": []${' '.repeat(MAX_CLIENT_MESSAGE_BYTES)}}`, 'too_large'],
  ] as [string, string, Reason][])('rejects %s', (_label, text, reason) => {
    expect(reasonOf(() => decodeClientMessage(text))).toBe(reason);
  });
});

interface Property {
  readonly minimum?: number;
  readonly maximum?: number;
  readonly maxItems?: number;
  readonly pattern?: string;
  readonly description?: string;
  readonly const?: unknown;
}
interface Schema {
  readonly properties: Readonly<Record<string, Property>>;
}

describe('the constants are those of the schemas', () => {
  const reading = schema('reading.json') as Schema;
  const META = new Set(['v', 'device', 'boot', 'seq', 'ts']);

  it('has the channels of the reading schema, in order, with their ranges and units', () => {
    expect(CHANNELS.map((c) => c.name)).toEqual(Object.keys(reading.properties).filter((k) => !META.has(k)));
    for (const c of CHANNELS) {
      expect(reading.properties[c.name]).toMatchObject({ minimum: c.minimum, maximum: c.maximum });
      expect(reading.properties[c.name]?.description).toContain(`Unit: ${c.unit}.`);
    }
  });

  it('uses the schema id patterns and limits', () => {
    expect(DEVICE_ID_PATTERN.source).toBe(reading.properties.device?.pattern);
    expect(BOOT_ID_PATTERN.source).toBe(reading.properties.boot?.pattern);
    expect((schema('ws/subscribe.json') as Schema).properties.devices?.maxItems).toBe(MAX_SUBSCRIPTIONS);
    expect(goldenObject('ws-hello.json').protocol).toBe(PROTOCOL);
  });

  it('draws every channel in a group of the contract, the compass with the other angles', () => {
    const groups = new Set(CHANNEL_GROUPS.map((g) => g.name));
    expect(CHANNELS.every((c) => groups.has(c.group))).toBe(true);
    expect(CHANNELS.filter((c) => c.group === 'orientation').map((c) => c.name)).toEqual(['pitch', 'roll', 'yaw', 'compass']);
    expect(ENVIRONMENT_CHANNELS.map((c) => c.name)).toEqual(['temperature', 'humidity', 'pressure']);
  });

  it('knows every reason a decoder gives', () => {
    expect(REASONS).toEqual(expect.arrayContaining(['missing_field', 'unknown_field', 'out_of_range', 'no_values']));
  });
});
