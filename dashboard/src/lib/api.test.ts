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
            status_received_ts: T0 - 1000,
            last_received_ts: T0 + 5,
            pending: 3,
            dropped: 0,
            latest: { seq: 7, device_ts: T0, received_ts: T0 + 5, temperature: 21.4, humidity: 44, pressure: 1013.2 },
          },
          {
            device: 'sim-2',
            online: false,
            boot: null,
            status_received_ts: null,
            last_received_ts: null,
            pending: null,
            dropped: null,
            latest: null,
          },
        ],
      }),
    );
    await expect(api.listDevices()).resolves.toEqual([
      {
        device: 'sim-1',
        online: true,
        boot: 'b1',
        statusReceivedTs: T0 - 1000,
        lastReceivedTs: T0 + 5,
        pending: 3,
        dropped: 0,
        latest: {
          seq: 7,
          deviceTs: T0,
          receivedTs: T0 + 5,
          values: { temperature: 21.4, humidity: 44, pressure: 1013.2 },
        },
      },
      {
        device: 'sim-2',
        online: false,
        boot: null,
        statusReceivedTs: null,
        lastReceivedTs: null,
        pending: null,
        dropped: null,
        latest: null,
      },
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
        since_device_ts: T0 - 600_000,
        until_device_ts: T0,
        readings: [
          { seq: 1, device_ts: T0 - 2000, received_ts: T0 - 1990, temperature: 21 },
          { seq: 2, device_ts: T0 - 1000, received_ts: T0 - 990, temperature: 21.1 },
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
      json({ device: 'sim-2', since_device_ts: 0, until_device_ts: 1, readings: [], truncated: false }),
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

describe('GET /api/v1/devices/{id}/history', () => {
  const since = T0 - 3_600_000;
  const query = { since, until: T0, channels: ['temperature', 'humidity'], points: 600 };
  const url = `/api/v1/devices/sim-1/history?since=${String(since)}&until=${String(T0)}&channels=temperature%2Chumidity&points=600`;
  const bucketed = {
    device: 'sim-1',
    since_device_ts: since,
    until_device_ts: T0,
    bucket_ms: 6000,
    channels: ['temperature', 'humidity'],
    device_ts: [since, since + 6000],
    n: [6, 6],
    series: {
      temperature: { min: [21.3, 21.3], max: [21.5, 21.6], mean: [21.41, 21.45] },
      humidity: { min: [44.0, null], max: [44.2, null], mean: [44.1, null] },
    },
    gaps_device_ts: [[since + 12_000, since + 60_000]],
  };

  it('asks for the range, channels and points, and decodes the columns (docs/api.md)', async () => {
    const api = client();
    network.get(url, () => json(bucketed));
    await expect(api.history('sim-1', query)).resolves.toEqual({
      device: 'sim-1',
      sinceDeviceTs: since,
      untilDeviceTs: T0,
      bucketMs: 6000,
      channels: ['temperature', 'humidity'],
      deviceTs: [since, since + 6000],
      n: [6, 6],
      series: bucketed.series,
      gapsDeviceTs: [[since + 12_000, since + 60_000]],
      seq: null,
      boot: null,
    });
  });

  it('takes seq and boot from a raw answer', async () => {
    const api = client();
    const raw = { ...bucketed, bucket_ms: 0, n: [1, 1], seq: [7, 8], boot: ['b1', 'b1'] };
    network.get(url, () => json(raw));
    await expect(api.history('sim-1', query)).resolves.toMatchObject({ bucketMs: 0, seq: [7, 8], boot: ['b1', 'b1'] });
  });

  it.each([
    ['columns of different lengths', { ...bucketed, n: [6] }, 'n has 1 items'],
    ['times out of order', { ...bucketed, device_ts: [since + 6000, since] }, 'device_ts[1] is earlier'],
    ['an unknown channel', { ...bucketed, channels: ['temperature', 'smell'] }, 'channels[1] must be one of'],
    ['a raw answer without seq', { ...bucketed, bucket_ms: 0 }, 'missing seq'],
    ['a reversed gap', { ...bucketed, gaps_device_ts: [[5, 1]] }, 'gaps_device_ts[0] is reversed'],
    ['another device', { ...bucketed, device: 'sim-2' }, 'asked for sim-1'],
    ['a string value', { ...bucketed, series: { ...bucketed.series, temperature: { min: ['1', 2], max: [1, 2], mean: [1, 2] } } }, 'series.temperature.min[0] must be a number'],
  ])('rejects %s', async (_label, body, detail) => {
    const api = client();
    network.get(url, () => json(body));
    const error = await failure(api.history('sim-1', query));
    expect(error.detail).toContain(detail);
    expect(error.status).toBe(200);
  });

  it('reports the server error with its status and what the body says', async () => {
    const api = client();
    network.get(url, () => json({ error: { code: 'unknown_channel', field: 'channels', message: 'no smell' } }, 400));
    const error = await failure(api.history('sim-1', query));
    expect(error).toMatchObject({ status: 400, detail: 'unknown_channel (channels): no smell' });
  });

  it("keeps the error body's code and a 429's Retry-After for the caller", async () => {
    const api = client();
    const body = { error: { code: 'rate_limited', field: 'address', message: 'try again in 4 s' } };
    network.get(url, () => new Response(JSON.stringify(body), { status: 429, headers: { 'Retry-After': '4' } }));
    expect(await failure(api.history('sim-1', query))).toMatchObject({ status: 429, code: 'rate_limited', retryAfterS: 4 });
    network.get(url, () => json({ error: { code: 'not_authenticated', field: 'session', message: 'log in' } }, 401));
    expect(await failure(api.history('sim-1', query))).toMatchObject({ status: 401, code: 'not_authenticated', retryAfterS: null });
  });

  it('reports a server error without a contract body by its status text', async () => {
    const api = client();
    network.get(url, () => new Response('<html>', { status: 502, statusText: 'Bad Gateway' }));
    expect(await failure(api.history('sim-1', query))).toMatchObject({ status: 502, detail: 'Bad Gateway' });
  });
});

describe('export links', () => {
  it('name the exact range and every channel asked for', () => {
    const api = client();
    expect(api.exportUrl('sim-1', { since: 1000.4, until: 2000.2, channels: ['temperature', 'humidity'] }, 'csv')).toBe(
      '/api/v1/devices/sim-1/export.csv?since=1000&until=2001&channels=temperature%2Chumidity',
    );
  });
});
