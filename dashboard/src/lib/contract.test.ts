import { describe, expect, it } from 'vitest';

import { schema } from '@/test/contract-files';

import { BOOT_ID_PATTERN, CHANNELS, DEVICE_ID_PATTERN, ENVIRONMENT_CHANNELS } from './contract';

interface Property {
  readonly type?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly pattern?: string;
  readonly description?: string;
}

const reading = schema('reading.json') as { properties: Record<string, Property> };
const META = new Set(['v', 'device', 'boot', 'seq', 'ts']);

describe('the channel table mirrors contract/schemas/reading.json', () => {
  it('has the same channels in the same order', () => {
    const names = Object.keys(reading.properties).filter((k) => !META.has(k));
    expect(CHANNELS.map((c) => c.name)).toEqual(names);
  });

  it.each(CHANNELS.map((c) => [c.name, c] as const))('%s has the schema range and unit', (name, channel) => {
    const property = reading.properties[name];
    expect(property?.minimum).toBe(channel.minimum);
    expect(property?.maximum).toBe(channel.maximum);
    expect(property?.description).toContain(`Unit: ${channel.unit}.`);
  });

  it('uses the schema id patterns', () => {
    expect(DEVICE_ID_PATTERN.source).toBe(reading.properties.device?.pattern);
    expect(BOOT_ID_PATTERN.source).toBe(reading.properties.boot?.pattern);
  });

  it('charts the environment group: temperature, humidity, pressure', () => {
    expect(ENVIRONMENT_CHANNELS.map((c) => c.name)).toEqual(['temperature', 'humidity', 'pressure']);
  });
});
