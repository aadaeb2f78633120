import { describe, expect, it } from 'vitest';

import type { DeviceInfo } from '@/lib/contract';
import { BACKLOG_ALERT, deviceBadges, STALE_MS } from './health';

const NOW = 1_800_000_000_000;

function view(overrides: Partial<DeviceInfo> = {}): DeviceInfo {
  return {
    device: 'sim-1',
    online: true,
    boot: 'b1',
    lastReceivedTs: NOW,
    statusReceivedTs: NOW,
    latest: { seq: 1, deviceTs: NOW - 1000, receivedTs: NOW - 990, values: { temperature: 21 } },
    pending: 0,
    dropped: 0,
    ...overrides,
  };
}

const kinds = (v: DeviceInfo, now = NOW) => deviceBadges(v, now).map((b) => b.kind);

describe('device badges', () => {
  it('none for a healthy device', () => {
    expect(kinds(view())).toEqual([]);
  });

  it('stale when online without a reading for too long', () => {
    expect(kinds(view(), NOW + STALE_MS)).toEqual(['stale']);
    expect(deviceBadges(view(), NOW + STALE_MS)[0]?.reason).toBe('online, but no reading for 16 s');
    expect(kinds(view({ latest: null }))).toEqual(['stale']);
  });

  it('reads the bridge clock, so a device clock running ahead cannot hide a stale device', () => {
    const ahead = view({ latest: { seq: 1, deviceTs: NOW + 3_600_000, receivedTs: NOW - 990, values: { temperature: 21 } } });
    expect(kinds(ahead, NOW + STALE_MS)).toEqual(['stale']);
  });

  it('never stale when offline: the presence says it all', () => {
    expect(kinds(view({ online: false }), NOW + 10 * STALE_MS)).toEqual([]);
  });

  it('alert when the outbox dropped readings or holds a large backlog', () => {
    expect(deviceBadges(view({ dropped: 12 }), NOW)[0]).toMatchObject({ kind: 'alert', reason: 'its outbox dropped 12 readings' });
    expect(kinds(view({ pending: BACKLOG_ALERT }))).toEqual(['alert']);
    expect(kinds(view({ pending: BACKLOG_ALERT - 1 }))).toEqual([]);
  });
});
