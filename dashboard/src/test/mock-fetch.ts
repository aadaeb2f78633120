/**
 * A `fetch` that answers only the requests a test declares. Any other request is
 * answered with an exception *and* recorded, and `verify()` (called in `afterEach`)
 * fails the test, even when the code under test swallowed the exception.
 */
import { expect } from 'vitest';

type Handler = (url: URL, init: RequestInit | undefined) => Response | Promise<Response>;

/** Path plus query parameters in a fixed order, so parameter order does not matter. */
function key(method: string, url: URL): string {
  const params = [...url.searchParams.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `${method.toUpperCase()} ${url.pathname}?${new URLSearchParams(params).toString()}`;
}

/** A JSON response. */
export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

/** A mock network with declared routes. */
export function mockFetch() {
  const routes = new Map<string, Handler>();
  const unhandled: string[] = [];
  const requests: string[] = [];

  const fetchMock = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const raw = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const url = new URL(raw, 'http://dashboard.test');
    const method = init?.method ?? 'GET';
    const id = key(method, url);
    requests.push(id);
    const handler = routes.get(id);
    if (handler === undefined) {
      unhandled.push(id);
      throw new Error(`unhandled request ${id}`);
    }
    return handler(url, init);
  };

  return {
    fetch: fetchMock,
    /** Requests made so far, as `METHOD /path?sorted=params`. */
    requests,
    /** Answer `GET url` (path with query) with `handler`; a throwing handler is a network error. */
    get(url: string, handler: Handler): void {
      routes.set(key('GET', new URL(url, 'http://dashboard.test')), handler);
    },
    /** Answer `POST url` with `handler` (it sees the request's headers and body in `init`). */
    post(url: string, handler: Handler): void {
      routes.set(key('POST', new URL(url, 'http://dashboard.test')), handler);
    },
    /** Stop answering `METHOD url` (a route declared before); later requests to it are unhandled. */
    forget(method: string, url: string): void {
      routes.delete(key(method, new URL(url, 'http://dashboard.test')));
    },
    /** Fail the test if any request had no route. */
    verify(): void {
      expect(unhandled, 'requests without a route').toEqual([]);
    },
  };
}
