/**
 * REST client for `/api/v1`: the fleet snapshot, raw readings, downsampled history and
 * export links.
 *
 * The network is behind a `fetch` function passed in, so tests hand in a mock that
 * answers exactly the requests they expect. Every failure is an {@link ApiError}
 * carrying the URL and, when the server answered, the HTTP status; only an abort
 * through the caller's `AbortSignal` rethrows the `AbortError` as it is. {@link callApi} and
 * {@link decodeAnswer} are the same steps for other callers of the API (the session's
 * `/auth` calls).
 */
import {
  asObject,
  decodeDeviceList,
  decodeErrorBody,
  DecodeError,
  decodeHistoryAnswer,
  decodeReadingsPage,
  type DeviceInfo,
  type ErrorDetail,
  type HistoryAnswer,
  type JsonObject,
  MAX_HISTORY_POINTS,
  parseJson,
  type ReadingsPage,
} from './contract';

/** Time range (device clock, epoch ms) and size of a raw readings request. */
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
  /** The contract's error code when the answer carried an error body (`not_authenticated`, `rate_limited`, ...). */
  readonly code: ErrorDetail['code'] | null;
  /** Seconds to wait before trying again, from a 429's `Retry-After`; null when not said. */
  readonly retryAfterS: number | null;

  constructor(url: string, status: number | null, detail: string, extra: { code?: ErrorDetail['code']; retryAfterS?: number } = {}) {
    super(`${url}: ${status === null ? '' : `HTTP ${String(status)}: `}${detail}`);
    this.url = url;
    this.status = status;
    this.detail = detail;
    this.code = extra.code ?? null;
    this.retryAfterS = extra.retryAfterS ?? null;
  }
}

/** What history to ask for: a range (device clock, epoch ms), channels, most buckets (1..10000). */
export interface HistoryQuery {
  readonly since: number;
  readonly until: number;
  readonly channels: readonly string[];
  readonly points: number;
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

/** The body must be about the device asked for (a proxy or cache mix-up is an error). */
function sameDevice<T extends { readonly device: string }>(device: string, answer: T): T {
  if (answer.device !== device) {
    throw new DecodeError('device_mismatch', `asked for ${device}, got ${answer.device.slice(0, 64)}`, 'device');
  }
  return answer;
}

/** The `Retry-After` header in whole seconds (the delay form; an HTTP date is not used by the API). */
function retryAfter(headers: Headers): number | undefined {
  const value = headers.get('Retry-After');
  const seconds = value === null ? NaN : Number(value);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.ceil(seconds) : undefined;
}

/** The error of an answer that is not ok: what its error body says, when it is one; else the status text. */
function answerError(url: string, response: Response, text: string): ApiError {
  const wait = retryAfter(response.headers);
  const extra = wait === undefined ? {} : { retryAfterS: wait };
  try {
    const { error } = decodeErrorBody(parseJson(text));
    return new ApiError(url, response.status, `${error.code} (${error.field}): ${error.message}`, { ...extra, code: error.code });
  } catch {
    return new ApiError(url, response.status, response.statusText || 'request failed', extra);
  }
}

/**
 * Send one request to the API and read its answer.
 *
 * @returns The status and body text of a 2xx answer.
 * @throws ApiError for no answer or an answer that is not 2xx; the caller's `AbortError` as it is.
 */
export async function callApi(
  http: { readonly fetch: typeof fetch },
  url: string,
  init: RequestInit,
): Promise<{ readonly status: number; readonly text: string }> {
  let response: Response;
  let text: string;
  try {
    response = await http.fetch(url, init);
    text = await response.text();
  } catch (error) {
    if (init.signal?.aborted === true) {
      throw error;
    }
    throw new ApiError(url, null, error instanceof Error ? error.message : String(error));
  }
  if (!response.ok) {
    throw answerError(url, response, text);
  }
  return { status: response.status, text };
}

/**
 * Decode a 2xx answer's JSON body.
 *
 * @throws ApiError if the body breaks the contract.
 */
export function decodeAnswer<T>(url: string, answer: { readonly status: number; readonly text: string }, decode: (body: JsonObject) => T): T {
  try {
    return decode(asObject(parseJson(answer.text), 'body'));
  } catch (error) {
    if (error instanceof DecodeError) {
      throw new ApiError(url, answer.status, error.message);
    }
    throw error;
  }
}

/** Create a client for the REST API. */
export function createApiClient(options: ApiClientOptions): ApiClient {
  const { baseUrl } = options;
  // Call through the object so a browser's `fetch` keeps its `window` binding.
  const http = { fetch: options.fetch };

  async function getJson<T>(url: string, decode: (body: JsonObject) => T, signal?: AbortSignal): Promise<T> {
    const answer = await callApi(http, url, { headers: { Accept: 'application/json' }, ...(signal === undefined ? {} : { signal }) });
    return decodeAnswer(url, answer, decode);
  }

  return {
    listDevices(signal) {
      return getJson(`${baseUrl}/devices`, (body) => [...decodeDeviceList(body).devices], signal);
    },
    listReadings(device, query, signal) {
      const params = new URLSearchParams({
        since: String(query.since),
        until: String(query.until),
        limit: String(query.limit),
      });
      const url = `${baseUrl}/devices/${encodeURIComponent(device)}/readings?${params.toString()}`;
      return getJson(url, (body) => sameDevice(device, decodeReadingsPage(body)), signal);
    },
    history(device, query, signal) {
      const points = Math.min(MAX_HISTORY_POINTS, Math.max(1, Math.round(query.points)));
      const params = new URLSearchParams({
        since: String(Math.floor(query.since)),
        until: String(Math.ceil(query.until)),
        channels: query.channels.join(','),
        points: String(points),
      });
      const url = `${baseUrl}/devices/${encodeURIComponent(device)}/history?${params.toString()}`;
      return getJson(url, (body) => sameDevice(device, decodeHistoryAnswer(body)), signal);
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
