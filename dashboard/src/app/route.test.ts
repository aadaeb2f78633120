import { describe, expect, it } from 'vitest';

import { parseRoute, type Route, routeHash } from './route';

describe('routes', () => {
  it.each<[string, Route]>([
    ['', { page: 'fleet' }],
    ['#/', { page: 'fleet' }],
    ['#/device/sim-1', { page: 'device', device: 'sim-1', window: { kind: 'live', spanMs: 900_000 } }],
    ['#/device/sim-1?window=24h', { page: 'device', device: 'sim-1', window: { kind: 'live', spanMs: 86_400_000 } }],
    ['#/device/sim-1?since=1000&until=2000', { page: 'device', device: 'sim-1', window: { kind: 'fixed', since: 1000, until: 2000 } }],
  ])('%s', (hash, route) => {
    expect(parseRoute(hash)).toEqual(route);
    expect(parseRoute(routeHash(route))).toEqual(route);
  });

  it('fall back to the fleet for a bad device id, and to 15 minutes for a bad window', () => {
    expect(parseRoute('#/device/Bad%20Id')).toEqual({ page: 'fleet' });
    expect(parseRoute('#/device/%E0')).toEqual({ page: 'fleet' });
    expect(parseRoute('#/device/sim-1?since=9&until=1')).toMatchObject({ window: { kind: 'live', spanMs: 900_000 } });
    expect(parseRoute('#/device/sim-1?window=1y')).toMatchObject({ window: { kind: 'live', spanMs: 900_000 } });
  });

  it('keep the default window out of the address', () => {
    expect(routeHash({ page: 'device', device: 'sim-1', window: { kind: 'live', spanMs: 900_000 } })).toBe('#/device/sim-1');
  });
});
