/**
 * The generated command messages against the repository's golden files and schemas: every
 * command, result, state and joystick golden decodes, and a broken one is refused with the
 * reason and the field the Python codec gives (tests/unit/contract/test_contract_commands.py).
 */
import { describe, expect, it } from 'vitest';

import { goldenNames, goldenObject, schema } from '@/test/contract-files';

import {
  COMMAND_ID_PATTERN,
  COMMAND_KINDS,
  COMMAND_STATUSES,
  decodeCommand,
  decodeCommandResult,
  DecodeError,
  decodeDeviceState,
  decodeJoystickEvent,
  FINAL_COMMAND_STATUSES,
  MATRIX_PIXELS,
  MAX_TEXT_LENGTH,
  RATE_HZ_MAX,
  RATE_HZ_MIN_EXCLUDED,
  type Reason,
} from './contract';

type Decode = (value: unknown) => unknown;

/** Every command golden file and its decoder. */
const DECODERS: Readonly<Record<string, Decode>> = {
  'command-clear.json': decodeCommand,
  'command-pause.json': decodeCommand,
  'command-resume.json': decodeCommand,
  'command-set-low-light.json': decodeCommand,
  'command-set-pixels.json': decodeCommand,
  'command-set-rate.json': decodeCommand,
  'command-show-text.json': decodeCommand,
  'command-result-failed.json': decodeCommandResult,
  'command-result-received.json': decodeCommandResult,
  'command-result-succeeded.json': decodeCommandResult,
  'joystick.json': decodeJoystickEvent,
  'state-text.json': decodeDeviceState,
  'state.json': decodeDeviceState,
};
const GOLDEN = Object.keys(DECODERS).sort();

function decoderOf(name: string): Decode {
  const decode = DECODERS[name];
  if (decode === undefined) {
    throw new Error(`no decoder for ${name}`);
  }
  return decode;
}

/** The golden `name` with `changes` applied in `params` (or at the top when `inParams` is false). */
function changed(name: string, changes: Readonly<Record<string, unknown>>, inParams = false): Record<string, unknown> {
  const obj = goldenObject(name);
  const target = inParams ? (obj.params as Record<string, unknown>) : obj;
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) {
      Reflect.deleteProperty(target, key);
    } else {
      target[key] = value;
    }
  }
  return obj;
}

function refusal(decode: () => unknown): [Reason, string | null] | null {
  try {
    decode();
  } catch (error) {
    if (error instanceof DecodeError) {
      return [error.reason, error.field];
    }
    throw error;
  }
  return null;
}

describe('golden command messages', () => {
  it('are all known to this test', () => {
    expect([...goldenNames('command-'), ...goldenNames('state'), ...goldenNames('joystick')].sort()).toEqual(GOLDEN);
  });

  it.each(GOLDEN)('%s decodes', (name) => {
    expect(() => decoderOf(name)(goldenObject(name))).not.toThrow();
  });

  it('a command decodes to its kind and camelCase parameters', () => {
    expect(decodeCommand(goldenObject('command-show-text.json'))).toEqual({
      v: 1,
      id: '0b8e6f4c-1d2a-4c3e-9f5a-6b7c8d9e0f11',
      device: 'pi-kitchen',
      issuedBy: 'operator',
      issuedServerTs: 1795336260000,
      deadlineServerTs: 1795336320000,
      kind: 'show_text',
      params: { text: 'Hello, kitchen!', color: [255, 200, 0], background: [0, 0, 64], scrollStepMs: 80 },
    });
  });

  it('the reported state mirrors the pixels of the golden set_pixels command', () => {
    const command = decodeCommand(goldenObject('command-set-pixels.json'));
    const state = decodeDeviceState(goldenObject('state.json'));
    expect(command.kind).toBe('set_pixels');
    if (command.kind === 'set_pixels') {
      expect(state.pixels).toEqual(command.params.pixels);
    }
    expect(state.lastCommandId).toBe(command.id);
  });
});

describe('refusals name the field as the Python codec does', () => {
  const pixels = (goldenObject('command-set-pixels.json').params as { pixels: unknown[] }).pixels;
  const TEXT = 'command-show-text.json';
  const RATE = 'command-set-rate.json';
  const cases: [string, () => unknown, Reason, string][] = [
    ['a 65th pixel', () => decodeCommand(changed('command-set-pixels.json', { pixels: [...pixels, [1, 2, 3]] }, true)), 'too_large', 'params.pixels'],
    ['63 pixels', () => decodeCommand(changed('command-set-pixels.json', { pixels: pixels.slice(1) }, true)), 'out_of_range', 'params.pixels'],
    ['a colour channel of 256', () => decodeCommand(changed(TEXT, { color: [255, 256, 0] }, true)), 'out_of_range', 'params.color[1]'],
    ['a colour of two channels', () => decodeCommand(changed(TEXT, { color: [1, 2] }, true)), 'wrong_type', 'params.color'],
    ['a text too long', () => decodeCommand(changed(TEXT, { text: 'x'.repeat(MAX_TEXT_LENGTH + 1) }, true)), 'out_of_range', 'params.text'],
    ['a text ending in a newline', () => decodeCommand(changed(TEXT, { text: 'ab\n' }, true)), 'out_of_range', 'params.text'],
    ['a rate of zero', () => decodeCommand(changed(RATE, { hz: RATE_HZ_MIN_EXCLUDED }, true)), 'out_of_range', 'params.hz'],
    ['a rate over the maximum', () => decodeCommand(changed(RATE, { hz: RATE_HZ_MAX + 0.5 }, true)), 'out_of_range', 'params.hz'],
    ['an unknown parameter', () => decodeCommand(changed(TEXT, { font: 'big' }, true)), 'unknown_field', 'params.font'],
    ['parameters on clear', () => decodeCommand(changed('command-clear.json', { params: {} })), 'unknown_field', 'params'],
    ['an unknown kind', () => decodeCommand(changed('command-clear.json', { kind: 'reboot' })), 'unexpected_kind', 'kind'],
    ['a missing deadline', () => decodeCommand(changed(TEXT, { deadline_server_ts: undefined })), 'missing_field', 'deadline_server_ts'],
    ['a deadline before it was issued', () => decodeCommand(changed(TEXT, { deadline_server_ts: 1795336259999 })), 'out_of_range', 'deadline_server_ts'],
    ['a failure without a reason', () => decodeCommandResult(changed('command-result-failed.json', { reason: undefined })), 'missing_field', 'reason'],
    ['a state with a 65th pixel', () => decodeDeviceState(changed('state.json', { pixels: [...pixels, [1, 2, 3]] })), 'too_large', 'pixels'],
    ['an unknown stick direction', () => decodeJoystickEvent(changed('joystick.json', { direction: 'forward' })), 'out_of_range', 'direction'],
  ];

  it.each(cases)('refuses %s', (_label, decode, reason, field) => {
    expect(refusal(decode)).toEqual([reason, field]);
  });

  it('accepts the limits', () => {
    expect(() => decodeCommand(changed(RATE, { hz: RATE_HZ_MAX }, true))).not.toThrow();
    expect(() => decodeCommand(changed(TEXT, { text: '~'.repeat(MAX_TEXT_LENGTH) }, true))).not.toThrow();
  });
});

interface Property {
  readonly exclusiveMinimum?: number;
  readonly maximum?: number;
  readonly minItems?: number;
  readonly pattern?: string;
}
interface Schema {
  readonly properties: Readonly<Record<string, Property>>;
}

describe('the command constants are those of the schemas', () => {
  it('has the rate range, the pixel count and the id pattern of the schemas', () => {
    const state = schema('state.json') as Schema;
    expect(state.properties.rate_hz).toMatchObject({ exclusiveMinimum: RATE_HZ_MIN_EXCLUDED, maximum: RATE_HZ_MAX });
    expect((schema('command-clear.json') as Schema).properties.id?.pattern).toBe(COMMAND_ID_PATTERN.source);
    const pixelSchema = (schema('command-set-pixels.json') as { properties: { params: Schema } }).properties.params;
    expect(pixelSchema.properties.pixels?.minItems).toBe(MATRIX_PIXELS);
  });

  it('knows every kind and every status of a command', () => {
    expect(COMMAND_KINDS).toEqual(['show_text', 'set_pixels', 'clear', 'set_low_light', 'set_rate', 'pause', 'resume']);
    expect(COMMAND_STATUSES).toEqual(['queued', 'sent', 'received', 'succeeded', 'failed', 'expired']);
    expect(FINAL_COMMAND_STATUSES).toEqual(['succeeded', 'failed', 'expired']);
  });
});
