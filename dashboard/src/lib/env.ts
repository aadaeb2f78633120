/**
 * Start-up checks: where the server is and whether this browser can run the dashboard.
 *
 * The dashboard is served by the same origin as the API and the live socket, so there
 * is nothing to configure; what can go wrong is opening the built file from disk or a
 * browser without the APIs the dashboard needs. {@link readEnv} lists every problem at
 * once, and `main.tsx` shows them instead of a half-working page.
 */

/** Settings derived once at start-up. */
export interface Env {
  /** Root of the REST API, e.g. `/api/v1`. */
  readonly apiBaseUrl: string;
  /** The live WebSocket, e.g. `wss://host:port/ws/live/`. */
  readonly liveUrl: string;
}

/** What {@link readEnv} looks at; `browserFacts()` collects it from `window`. */
export interface BrowserFacts {
  readonly protocol: string;
  readonly host: string;
  readonly hasWebSocket: boolean;
  readonly hasFetch: boolean;
  readonly hasAnimationFrame: boolean;
  readonly hasResizeObserver: boolean;
}

/** Either the settings or every reason there are none. */
export type EnvResult = { readonly ok: true; readonly env: Env } | { readonly ok: false; readonly problems: string[] };

const API_PATH = '/api/v1';
const LIVE_PATH = '/ws/live/';

/** Derive the settings from the page's origin and check the browser's capabilities. */
export function readEnv(facts: BrowserFacts): EnvResult {
  const problems: string[] = [];
  const secure = facts.protocol === 'https:';
  if (!secure && facts.protocol !== 'http:') {
    problems.push(`the page must be served over http or https, not ${facts.protocol}`);
  }
  if (facts.host === '') {
    problems.push('the page has no host to reach the server on');
  }
  const missing: [boolean, string][] = [
    [facts.hasWebSocket, 'WebSocket'],
    [facts.hasFetch, 'fetch'],
    [facts.hasAnimationFrame, 'requestAnimationFrame'],
    [facts.hasResizeObserver, 'ResizeObserver'],
  ];
  for (const [present, name] of missing) {
    if (!present) {
      problems.push(`this browser lacks ${name}`);
    }
  }
  if (problems.length > 0) {
    return { ok: false, problems };
  }
  return {
    ok: true,
    env: { apiBaseUrl: API_PATH, liveUrl: `${secure ? 'wss' : 'ws'}://${facts.host}${LIVE_PATH}` },
  };
}

/** Collect {@link BrowserFacts} from the running browser. */
export function browserFacts(): BrowserFacts {
  return {
    protocol: window.location.protocol,
    host: window.location.host,
    hasWebSocket: typeof window.WebSocket === 'function',
    hasFetch: typeof window.fetch === 'function',
    hasAnimationFrame: typeof window.requestAnimationFrame === 'function',
    hasResizeObserver: typeof window.ResizeObserver === 'function',
  };
}
