/**
 * The page's address: `#/` is the fleet, `#/device/<id>` a device with its window
 * (`?window=1h`, or `?since=<ms>&until=<ms>` for a fixed range), so every view can be
 * bookmarked and shared.
 */
import { DEFAULT_WINDOW, PRESETS, type TimeWindow } from '@/features/timeline';
import { DEVICE_ID_PATTERN } from '@/lib/contract';

/** What is on screen. */
export type Route =
  | { readonly page: 'fleet' }
  | { readonly page: 'device'; readonly device: string; readonly window: TimeWindow };

function parseWindow(params: URLSearchParams): TimeWindow {
  const since = Number(params.get('since'));
  const until = Number(params.get('until'));
  if (params.has('since') && params.has('until') && Number.isInteger(since) && Number.isInteger(until) && since < until) {
    return { kind: 'fixed', since, until };
  }
  const preset = PRESETS.find((p) => p.name === params.get('window'));
  return preset === undefined ? DEFAULT_WINDOW : { kind: 'live', spanMs: preset.spanMs };
}

/** The route of a location hash; anything unknown is the fleet. */
export function parseRoute(hash: string): Route {
  const match = /^#\/device\/([^?]*)(?:\?(.*))?$/.exec(hash);
  if (match === null) {
    return { page: 'fleet' };
  }
  let device: string;
  try {
    device = decodeURIComponent(match[1] ?? '');
  } catch {
    return { page: 'fleet' };
  }
  if (!DEVICE_ID_PATTERN.test(device)) {
    return { page: 'fleet' };
  }
  return { page: 'device', device, window: parseWindow(new URLSearchParams(match[2] ?? '')) };
}

/** The hash of a route. */
export function routeHash(route: Route): string {
  if (route.page === 'fleet') {
    return '#/';
  }
  const base = `#/device/${encodeURIComponent(route.device)}`;
  const { window } = route;
  if (window.kind === 'fixed') {
    return `${base}?since=${String(window.since)}&until=${String(window.until)}`;
  }
  const { spanMs } = window;
  const preset = PRESETS.find((p) => p.spanMs === spanMs);
  return preset === undefined || DEFAULT_WINDOW.kind !== 'live' || spanMs === DEFAULT_WINDOW.spanMs
    ? base
    : `${base}?window=${preset.name}`;
}
