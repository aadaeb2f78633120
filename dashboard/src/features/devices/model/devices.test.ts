import { describe, expect, it } from 'vitest';

import type { DeviceInfo, FrameMessage, StatusMessage } from '@/lib/contract';

import { deviceList, type Devices, reduceDevices } from './devices';

const T0 = 1_800_000_000_000;

function info(device: string, overrides: Partial<DeviceInfo> = {}): DeviceInfo {
  return { device, online: true, boot: 'b1', statusReceivedTs: T0 - 5000, lastReceivedTs: T0, latest: null, pending: 0, dropped: 0, ...overrides };
}

/** A status the bridge received at `receivedTs`; a last will has no device time. */
function status(device: string, online: boolean, receivedTs: number, deviceTs: number | null = null): StatusMessage {
  return { type: 'status', device, online, boot: 'b2', deviceTs, receivedTs, pending: 0, dropped: 0 };
}

function frame(device: string, seq: number, deviceTs: number, temperature: number): FrameMessage {
  const reading = { seq, deviceTs, receivedTs: deviceTs + 7, values: { temperature } };
  return { type: 'frame', device, boot: 'b1', seq: [seq, seq], readings: [reading] };
}

describe('devices reducer', () => {
  it('takes the fleet from the snapshot, listed by id', () => {
    const state = reduceDevices({}, { type: 'snapshot', devices: [info('sim-2'), info('sim-1', { online: false })] });
    expect(deviceList(state).map((d) => [d.device, d.online])).toEqual([
      ['sim-1', false],
      ['sim-2', true],
    ]);
  });

  it('follows status messages, including devices the snapshot did not have', () => {
    let state: Devices = reduceDevices({}, { type: 'snapshot', devices: [info('sim-1')] });
    state = reduceDevices(state, { type: 'status', status: status('sim-1', false, T0 + 500) });
    state = reduceDevices(state, { type: 'status', status: status('sim-9', true, T0 + 1000, T0 + 990) });
    expect(state['sim-1']).toMatchObject({ online: false, boot: 'b2', statusReceivedTs: T0 + 500, lastReceivedTs: T0 + 500 });
    expect(state['sim-9']).toMatchObject({ online: true, statusReceivedTs: T0 + 1000, lastReceivedTs: T0 + 1000 });
  });

  it('times presence by the bridge clock, whatever the device clock says', () => {
    const far = T0 + 86_400_000; // a Pi without a battery-backed clock, a day off
    const state = reduceDevices({}, { type: 'status', status: status('sim-1', true, T0 + 1000, far) });
    expect(state['sim-1']).toMatchObject({ statusReceivedTs: T0 + 1000, lastReceivedTs: T0 + 1000 });
  });

  it('keeps a status that overtook the snapshot', () => {
    const early = reduceDevices({}, { type: 'status', status: status('sim-1', false, T0) });
    const state = reduceDevices(early, { type: 'snapshot', devices: [info('sim-1', { online: true, statusReceivedTs: T0 - 5000 })] });
    expect(state['sim-1']?.online).toBe(false);
  });

  it('updates latest values and last-seen time from frames, never going back in time', () => {
    let state: Devices = reduceDevices({}, { type: 'snapshot', devices: [info('sim-1')] });
    state = reduceDevices(state, { type: 'frame', frame: frame('sim-1', 5, T0 + 2000, 22.5) });
    state = reduceDevices(state, { type: 'frame', frame: frame('sim-1', 4, T0 + 1000, 22.0) });
    expect(state['sim-1']?.latest?.values).toEqual({ temperature: 22.5 });
    expect(state['sim-1']?.lastReceivedTs).toBe(T0 + 2007);
  });
});
