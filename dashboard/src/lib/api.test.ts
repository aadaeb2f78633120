import { afterEach, describe, expect, it } from 'vitest';

import { json, mockFetch } from '@/test/mock-fetch';

import { ApiError, createApiClient } from './api';

const T0 = 1_800_000_000_000;
let network = mockFetch();

function client() {
  network = mockFetch();
  return createApiClient({ baseUrl: '/api/v1', fetch: network.fetch });
}

afterEach(() => {
  network.verify();
});

async function failure(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiError) {
      return error;
    }
    throw error;
  }
  throw new Error('expected an ApiError');
}

describe('GET /api/v1/devices', () => {
  it('returns the fleet with camel-case fields and decoded latest readings', async () => {
    const api = client();
    network.get('/api/v1/devices', () =>
      json({
        devices: [
          {
            device: 'sim-1',
            online: true,
            boot: 'b1',
            last_seen: T0,
            status_ts: T0 - 1000,
            latest: { seq: 7, ts: T0, rx: T0 + 5, temperature: 21.4, humidity: 44, pressure: 1013.2 },
          },
          { device: 'sim-2', online: false, boot: null, last_seen: null, status_ts: null, latest: null },
        ],
      }),
    );
    await expect(api.listDevices()).resolves.toEqual([
      {
        device: 'sim-1',
        online: true,
        boot: 'b1',
        lastSeen: T0,
        statusTs: T0 - 1000,
        latest: { seq: 7, ts: T0, rx: T0 + 5, values: { temperature: 21.4, humidity: 44, pressure: 1013.2 } },
      },
      { device: 'sim-2', online: false, boot: null, lastSeen: null, statusTs: null, latest: null },
    ]);
  });

  it('reports an HTTP error with its status', async () => {
    const api = client();
    network.get('/api/v1/devices', () => new Response('down', { status: 503, statusText: 'Service Unavailable' }));
    const error = await failure(api.listDevices());
    expect(error).toMatchObject({ url: '/api/v1/devices', status: 503 });
  });

  it('reports a body that breaks the contract', async () => {
    const api = client();
    network.get('/api/v1/devices', () => json({ devices: [{ device: 'sim-1', online: 'yes' }] }));
    const error = await failure(api.listDevices());
    expect(error.detail).toContain('devices[0].online');
  });

  it('reports text that is not JSON', async () => {
    const api = client();
    network.get('/api/v1/devices', () => new Response('<html>', { status: 200 }));
    expect((await failure(api.listDevices())).detail).toContain('malformed_json');
  });
});

describe('GET /api/v1/devices/<id>/readings', () => {
  it('asks for the range and limit and returns rows oldest first', async () => {
    const api = client();
    const path = `/api/v1/devices/sim-1/readings?since=${String(T0 - 600_000)}&until=${String(T0)}&limit=100`;
    network.get(path, () =>
      json({
        device: 'sim-1',
        since: T0 - 600_000,
        until: T0,
        readings: [
          { seq: 1, ts: T0 - 2000, rx: T0 - 1990, temperature: 21 },
          { seq: 2, ts: T0 - 1000, rx: T0 - 990, temperature: 21.1 },
        ],
        truncated: false,
      }),
    );
    const page = await api.listReadings('sim-1', { since: T0 - 600_000, until: T0, limit: 100 });
    expect(page.readings.map((r) => r.seq)).toEqual([1, 2]);
    expect(page.truncated).toBe(false);
  });

  it('refuses the history of another device', async () => {
    const api = client();
    network.get(`/api/v1/devices/sim-1/readings?since=0&until=1&limit=1`, () =>
      json({ device: 'sim-2', since: 0, until: 1, readings: [], truncated: false }),
    );
    const error = await failure(api.listReadings('sim-1', { since: 0, until: 1, limit: 1 }));
    expect(error.detail).toContain('device_mismatch');
  });

  it('turns a network failure into an ApiError without a status', async () => {
    const api = client();
    network.get('/api/v1/devices/sim-1/readings?since=0&until=1&limit=1', () => {
      throw new TypeError('Failed to fetch');
    });
    const error = await failure(api.listReadings('sim-1', { since: 0, until: 1, limit: 1 }));
    expect(error).toMatchObject({ status: null, detail: 'Failed to fetch' });
    expect(network.requests).toEqual(['GET /api/v1/devices/sim-1/readings?limit=1&since=0&until=1']);
  });
});
