/**
 * REST client for `/api/v1`: the fleet snapshot, raw readings, downsampled history and
 * export links.
 *
 * The network is behind a `fetch` function passed in, so tests hand in a mock that
 * answers exactly the requests they expect. Every failure is an {@link ApiError}
 * carrying the URL and, when the server answered, the HTTP status; only an abort
 * through the caller's `AbortSignal` rethrows the `AbortError` as it is.
 */
import { DEVICE_ID_PATTERN } from './contract';
import {
  array,
  asObject,
  bool,
  checkPattern,
  DecodeError,
  int,
  type JsonObject,
  nullable,
  parseJson,
  str,
} from './decode';
import { decodeHistory, type HistoryAnswer, type HistoryQuery, MAX_POINTS } from './history';
import { decodeReadingRow, type ReadingRow } from './reading';

/** One device of the fleet snapshot (`GET /api/v1/devices`). */
export interface DeviceInfo {
  readonly device: string;
  readonly online: boolean;
  /** Boot id of the device's current agent run, if known. */
  readonly boot: string | null;
  /** Epoch ms of the last reading or status seen from the device. */
  readonly lastSeen: number | null;
  /** Epoch ms of the device's last status message. */
  readonly statusTs: number | null;
  readonly latest: ReadingRow | null;
  /** Readings in the device's outbox not yet stored, as of its last status. */
  readonly pending: number | null;
  /** Readings the device's outbox had to drop since its agent started. */
  readonly dropped: number | null;
}

/** A slice of a device's history, oldest first. */
export interface ReadingsPage {
  readonly device: string;
  readonly since: number;
  readonly until: number;
  readonly readings: readonly ReadingRow[];
  /** More readings matched than `limit` allowed. */
  readonly truncated: boolean;
}

/** Time range and size of a history request, epoch milliseconds. */
export interface ReadingsQuery {
  readonly since: number;
  readonly until: number;
  readonly limit: number;
}

/** A REST request failed: no answer, an HTTP error or a body that breaks the contract. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  /** The requested URL. */
  readonly url: string;
  /** HTTP status, or null when no response arrived. */
  readonly status: number | null;
  /** What went wrong. */
  readonly detail: string;

  constructor(url: string, status: number | null, detail: string) {
    super(`${url}: ${status === null ? '' : `HTTP ${String(status)}: `}${detail}`);
    this.url = url;
    this.status = status;
    this.detail = detail;
  }
}

/** The exact range an export covers; `since` inclusive, `until` exclusive. */
export interface ExportQuery {
  readonly since: number;
  readonly until: number;
  readonly channels: readonly string[];
}

/** The REST calls the dashboard makes. */
export interface ApiClient {
  listDevices(signal?: AbortSignal): Promise<DeviceInfo[]>;
  listReadings(device: string, query: ReadingsQuery, signal?: AbortSignal): Promise<ReadingsPage>;
  /** Downsampled history with min/max per bucket and gap markers. */
  history(device: string, query: HistoryQuery, signal?: AbortSignal): Promise<HistoryAnswer>;
  /** The URL of a raw export (the server answers with a file download). */
  exportUrl(device: string, query: ExportQuery, format: 'csv' | 'json'): string;
}

/** How the client reaches the server. */
export interface ApiClientOptions {
  /** Path or URL of the API root, without a trailing slash, e.g. `/api/v1`. */
  readonly baseUrl: string;
  /** The `fetch` to use; tests pass a mock. */
  readonly fetch: typeof fetch;
}

function counter(obj: JsonObject, key: string, path: string): number | null {
  return obj[key] === undefined ? null : nullable(obj, key, (o, k) => int(o, k, path));
}

function decodeDevice(value: unknown, path: string): DeviceInfo {
  const obj = asObject(value, path);
  const latest = obj.latest;
  return {
    device: checkPattern(str(obj, 'device', path), DEVICE_ID_PATTERN, `${path}.device`, 'bad_device_id'),
    online: bool(obj, 'online', path),
    boot: nullable(obj, 'boot', (o, k) => str(o, k, path)),
    lastSeen: nullable(obj, 'last_seen', (o, k) => int(o, k, path)),
    statusTs: nullable(obj, 'status_ts', (o, k) => int(o, k, path)),
    latest: latest === null || latest === undefined ? null : decodeReadingRow(latest, `${path}.latest`),
    // Outbox counters come from the device's status; older servers may not list them.
    pending: counter(obj, 'pending', path),
    dropped: counter(obj, 'dropped', path),
  };
}

function decodeDevices(body: JsonObject): DeviceInfo[] {
  return array(body, 'devices').map((item, i) => decodeDevice(item, `devices[${String(i)}]`));
}

function decodePage(body: JsonObject, device: string): ReadingsPage {
  const got = str(body, 'device');
  if (got !== device) {
    throw new DecodeError('device_mismatch', `asked for ${device}, got ${got.slice(0, 64)}`, 'device');
  }
  return {
    device,
    since: int(body, 'since'),
    until: int(body, 'until'),
    readings: array(body, 'readings').map((row, i) => decodeReadingRow(row, `readings[${String(i)}]`)),
    truncated: bool(body, 'truncated'),
  };
}

/** Create a client for the REST API. */
export function createApiClient(options: ApiClientOptions): ApiClient {
  const { baseUrl } = options;
  // Call through the object so a browser's `fetch` keeps its `window` binding.
  const http = { fetch: options.fetch };

  async function getJson<T>(url: string, decode: (body: JsonObject) => T, signal?: AbortSignal): Promise<T> {
    let response: Response;
    let text: string;
    try {
      response = await http.fetch(url, {
        headers: { Accept: 'application/json' },
        ...(signal === undefined ? {} : { signal }),
      });
      text = await response.text();
    } catch (error) {
      if (signal?.aborted === true) {
        throw error;
      }
      throw new ApiError(url, null, error instanceof Error ? error.message : String(error));
    }
    if (!response.ok) {
      throw new ApiError(url, response.status, response.statusText || 'request failed');
    }
    try {
      return decode(asObject(parseJson(text), 'body'));
    } catch (error) {
      if (error instanceof DecodeError) {
        throw new ApiError(url, response.status, error.message);
      }
      throw error;
    }
  }

  return {
    listDevices(signal) {
      return getJson(`${baseUrl}/devices`, decodeDevices, signal);
    },
    listReadings(device, query, signal) {
      const params = new URLSearchParams({
        since: String(query.since),
        until: String(query.until),
        limit: String(query.limit),
      });
      const url = `${baseUrl}/devices/${encodeURIComponent(device)}/readings?${params.toString()}`;
      return getJson(url, (body) => decodePage(body, device), signal);
    },
    history(device, query, signal) {
      const points = Math.min(MAX_POINTS, Math.max(1, Math.round(query.points)));
      const params = new URLSearchParams({
        since: String(Math.floor(query.since)),
        until: String(Math.ceil(query.until)),
        channels: query.channels.join(','),
        points: String(points),
      });
      const url = `${baseUrl}/devices/${encodeURIComponent(device)}/history?${params.toString()}`;
      return getJson(url, (body) => decodeHistory(body, device), signal);
    },
    exportUrl(device, query, format) {
      const params = new URLSearchParams({
        since: String(Math.floor(query.since)),
        until: String(Math.ceil(query.until)),
        channels: query.channels.join(','),
      });
      return `${baseUrl}/devices/${encodeURIComponent(device)}/export.${format}?${params.toString()}`;
    },
  };
}
