import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { WS_CLOSE_FORBIDDEN, WS_CLOSE_NOT_AUTHENTICATED } from '@/lib/contract';
import { LiveSocket } from '@/lib/live-socket';
import { socketFactory } from '@/test/fake-socket';
import { json, mockFetch } from '@/test/mock-fetch';

import { createAuthApi } from './auth-api';
import { SessionRuntime } from './session-runtime';

const VERA = { username: 'vera', role: 'viewer', actions: ['read'] };
const NOT_SIGNED_IN = { error: { code: 'not_authenticated', field: 'session', message: 'not signed in' } };

let network = mockFetch();

function setup() {
  network = mockFetch();
  const sockets = socketFactory();
  const socket = new LiveSocket({ url: 'ws://dashboard.test/ws/live/', createSocket: sockets.create, random: () => 0 });
  const session = new SessionRuntime({ api: createAuthApi({ baseUrl: '/api/v1', fetch: network.fetch }), feed: socket, random: () => 0 });
  return { session, socket, sockets };
}

/** Let the mock network's promises resolve. */
async function settle(): Promise<void> {
  await vi.advanceTimersByTimeAsync(0);
}

/** Answer the CSRF request with `token`, and record the headers and body of the POSTs. */
function csrf(token = 'csrf-1'): { headers: Headers[]; bodies: unknown[] } {
  const seen = { headers: [] as Headers[], bodies: [] as unknown[] };
  network.get('/api/v1/auth/csrf', () => json({ csrf_token: token }));
  return seen;
}

function recording(seen: { headers: Headers[]; bodies: unknown[] }, answer: () => Response) {
  return (_url: URL, init: RequestInit | undefined): Response => {
    seen.headers.push(new Headers(init?.headers));
    seen.bodies.push(typeof init?.body === 'string' ? JSON.parse(init.body) : null);
    return answer();
  };
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
  network.verify();
});

describe('SessionRuntime', () => {
  it('asks who is signed in at start', async () => {
    const { session } = setup();
    network.get('/api/v1/auth/me', () => json(VERA));
    session.start();
    expect(session.store.getSnapshot().phase).toBe('checking');
    await settle();
    expect(session.store.getSnapshot()).toMatchObject({ phase: 'signed-in', user: VERA });
  });

  it('shows the login page on a 401, and asks again with backoff when the server does not answer', async () => {
    const { session } = setup();
    let answer = () => new Response('', { status: 502, statusText: 'Bad Gateway' });
    network.get('/api/v1/auth/me', () => answer());
    session.start();
    await settle();
    expect(session.store.getSnapshot()).toEqual({ phase: 'checking', problem: 'HTTP 502: Bad Gateway' });
    answer = () => json(NOT_SIGNED_IN, 401);
    await vi.advanceTimersByTimeAsync(250);
    expect(session.store.getSnapshot()).toEqual({ phase: 'signed-out', reason: 'start', submitting: false, problem: null });
  });

  it('logs in with a fresh CSRF token in the header and the name and password in the body', async () => {
    const { session } = setup();
    network.get('/api/v1/auth/me', () => json(NOT_SIGNED_IN, 401));
    session.start();
    await settle();
    const seen = csrf('token-before-login');
    network.post('/api/v1/auth/login', recording(seen, () => json(VERA)));
    session.login('vera', 'correct horse battery');
    expect(session.store.getSnapshot()).toMatchObject({ phase: 'signed-out', submitting: true });
    await settle();
    expect(seen.headers[0]?.get('X-CSRFToken')).toBe('token-before-login');
    expect(seen.headers[0]?.get('Content-Type')).toBe('application/json');
    expect(seen.bodies).toEqual([{ username: 'vera', password: 'correct horse battery' }]);
    expect(session.store.getSnapshot()).toMatchObject({ phase: 'signed-in', user: VERA });
  });

  it('tells a wrong password from too many attempts (with the wait from Retry-After)', async () => {
    const { session } = setup();
    network.get('/api/v1/auth/me', () => json(NOT_SIGNED_IN, 401));
    session.start();
    await settle();
    csrf();
    network.post('/api/v1/auth/login', () => json({ error: { code: 'bad_credentials', field: 'password', message: 'wrong' } }, 401));
    session.login('vera', 'wrong');
    await settle();
    expect(session.store.getSnapshot()).toMatchObject({ phase: 'signed-out', submitting: false, problem: { kind: 'bad-credentials' } });

    network.post(
      '/api/v1/auth/login',
      () =>
        new Response(JSON.stringify({ error: { code: 'rate_limited', field: 'username', message: 'try again in 8 s' } }), {
          status: 429,
          headers: { 'Retry-After': '8' },
        }),
    );
    session.login('vera', 'wrong again');
    await settle();
    expect(session.store.getSnapshot()).toMatchObject({ problem: { kind: 'throttled', retryAfterS: 8 } });
  });

  it('logs out with a CSRF token, then shows the login page', async () => {
    const { session } = setup();
    network.get('/api/v1/auth/me', () => json(VERA));
    session.start();
    await settle();
    const seen = csrf('token-after-login');
    network.post('/api/v1/auth/logout', recording(seen, () => new Response(null, { status: 204 })));
    session.logout();
    await settle();
    expect(seen.headers[0]?.get('X-CSRFToken')).toBe('token-after-login');
    expect(session.store.getSnapshot()).toEqual({ phase: 'signed-out', reason: 'logged-out', submitting: false, problem: null });
  });

  it("ends the session when a data request through its guard is answered 401, and only then", async () => {
    const { session } = setup();
    network.get('/api/v1/auth/me', () => json(VERA));
    session.start();
    await settle();
    const guarded = session.guard(network.fetch);
    network.get('/api/v1/devices', () => json({ devices: [] }));
    expect((await guarded('/api/v1/devices')).status).toBe(200);
    expect(session.store.getSnapshot().phase).toBe('signed-in');
    network.get('/api/v1/devices', () => json(NOT_SIGNED_IN, 401));
    expect((await guarded('/api/v1/devices')).status).toBe(401);
    expect(session.store.getSnapshot()).toMatchObject({ phase: 'signed-out', reason: 'expired' });
  });

  it('ends the session when the live socket is closed with 4401', async () => {
    const { session, socket, sockets } = setup();
    network.get('/api/v1/auth/me', () => json(VERA));
    session.start();
    await settle();
    socket.start();
    sockets.last.closeWith(WS_CLOSE_NOT_AUTHENTICATED, 'no_credentials');
    expect(session.store.getSnapshot()).toMatchObject({ phase: 'signed-out', reason: 'expired' });
  });

  it('says what the role may not do when the live socket is closed with 4403', async () => {
    const { session, socket, sockets } = setup();
    network.get('/api/v1/auth/me', () => json(VERA));
    session.start();
    await settle();
    socket.start();
    sockets.last.closeWith(WS_CLOSE_FORBIDDEN, 'permission_denied');
    expect(session.store.getSnapshot()).toMatchObject({ phase: 'signed-in', forbidden: 'Your role (viewer) may not read live data.' });
  });

  it('ignores answers that arrive after it stopped', async () => {
    const { session } = setup();
    network.get('/api/v1/auth/me', () => json(VERA));
    session.start();
    session.stop();
    await settle();
    expect(session.store.getSnapshot()).toEqual({ phase: 'checking', problem: null });
  });
});
