import { describe, expect, it } from 'vitest';

import type { CurrentUser } from '@/lib/contract';

import {
  can,
  INITIAL_SESSION,
  loginMessage,
  type SessionEvent,
  type SessionState,
  type SessionStep,
  startSession,
  stepSession,
} from './session';

const VERA: CurrentUser = { username: 'vera', role: 'viewer', actions: ['read'] };
const ADA: CurrentUser = {
  username: 'ada',
  role: 'admin',
  actions: ['read', 'send_command', 'acknowledge_alert', 'write_room', 'manage_users', 'manage_devices', 'manage_credentials'],
};

function run(state: SessionState, ...events: SessionEvent[]): SessionStep {
  let step: SessionStep = { state, effects: [] };
  const effects = [];
  for (const event of events) {
    step = stepSession(step.state, event);
    effects.push(...step.effects);
  }
  return { state: step.state, effects };
}

const SIGNED_OUT = run(INITIAL_SESSION, { type: 'me-refused' }).state;
const SIGNED_IN = run(INITIAL_SESSION, { type: 'me', user: VERA }).state;

describe('the session at start', () => {
  it('asks who is signed in', () => {
    expect(startSession()).toEqual({ state: { phase: 'checking', problem: null }, effects: [{ type: 'check' }] });
  });

  it('is signed in when the server names a user', () => {
    expect(SIGNED_IN).toEqual({ phase: 'signed-in', user: VERA, forbidden: null, loggingOut: false, problem: null });
  });

  it('shows the login page, without a message, when nobody is signed in', () => {
    expect(SIGNED_OUT).toEqual({ phase: 'signed-out', reason: 'start', submitting: false, problem: null });
    expect(loginMessage(SIGNED_OUT)).toBeNull();
  });

  it('asks again with backoff while the server cannot say', () => {
    const step = run(INITIAL_SESSION, { type: 'me-failed', attempt: 0, error: 'HTTP 502' }, { type: 'me-failed', attempt: 1, error: 'offline' });
    expect(step.state).toEqual({ phase: 'checking', problem: 'offline' });
    expect(step.effects).toEqual([
      { type: 'retry', attempt: 0 },
      { type: 'retry', attempt: 1 },
    ]);
  });
});

describe('logging in', () => {
  it('sends one attempt at a time, with the password only in the effect', () => {
    const step = run(
      SIGNED_OUT,
      { type: 'submit', username: 'vera', password: 'secret-password' },
      { type: 'submit', username: 'vera', password: 'again' },
    );
    expect(step.effects).toEqual([{ type: 'login', username: 'vera', password: 'secret-password' }]);
    expect(step.state).toEqual({ phase: 'signed-out', reason: 'start', submitting: true, problem: null });
    expect(JSON.stringify(step.state)).not.toContain('secret-password');
  });

  it('signs in with the user the server answered', () => {
    const step = run(SIGNED_OUT, { type: 'submit', username: 'ada', password: 'pw' }, { type: 'login-ok', user: ADA });
    expect(step.state).toEqual({ phase: 'signed-in', user: ADA, forbidden: null, loggingOut: false, problem: null });
  });

  it('says "wrong user name or password" for bad credentials and allows another try', () => {
    const step = run(
      SIGNED_OUT,
      { type: 'submit', username: 'vera', password: 'nope' },
      { type: 'login-refused', problem: { kind: 'bad-credentials' } },
    );
    expect(loginMessage(step.state)).toBe('Wrong user name or password.');
    expect(run(step.state, { type: 'submit', username: 'vera', password: 'pw' }).effects).toHaveLength(1);
  });

  it('says how long to wait after too many attempts', () => {
    const submit: SessionEvent = { type: 'submit', username: 'vera', password: 'nope' };
    const throttled = run(SIGNED_OUT, submit, { type: 'login-refused', problem: { kind: 'throttled', retryAfterS: 8 } });
    expect(loginMessage(throttled.state)).toBe('Too many attempts, try again in 8 s.');
    const unsaid = run(SIGNED_OUT, submit, { type: 'login-refused', problem: { kind: 'throttled', retryAfterS: null } });
    expect(loginMessage(unsaid.state)).toBe('Too many attempts, try again later.');
  });

  it('says what else went wrong', () => {
    const step = run(
      SIGNED_OUT,
      { type: 'submit', username: 'vera', password: 'pw' },
      { type: 'login-refused', problem: { kind: 'failed', detail: 'HTTP 502: Bad Gateway' } },
    );
    expect(loginMessage(step.state)).toBe('Could not log in: HTTP 502: Bad Gateway');
  });

  it('ignores an answer to no attempt', () => {
    expect(run(SIGNED_OUT, { type: 'login-ok', user: ADA }).state).toBe(SIGNED_OUT);
    expect(run(SIGNED_IN, { type: 'login-refused', problem: { kind: 'bad-credentials' } }).state).toBe(SIGNED_IN);
  });
});

describe('leaving', () => {
  it('logs out once, then shows the login page saying so', () => {
    const step = run(SIGNED_IN, { type: 'logout' }, { type: 'logout' });
    expect(step.effects).toEqual([{ type: 'logout' }]);
    expect(step.state).toMatchObject({ phase: 'signed-in', loggingOut: true });
    const out = run(step.state, { type: 'logged-out' }).state;
    expect(out).toEqual({ phase: 'signed-out', reason: 'logged-out', submitting: false, problem: null });
    expect(loginMessage(out)).toBe('You have logged out.');
  });

  it('stays signed in and says so when the logout failed', () => {
    const step = run(SIGNED_IN, { type: 'logout' }, { type: 'logout-failed', error: 'offline' });
    expect(step.state).toEqual({ ...SIGNED_IN, problem: 'could not log out (offline)' });
  });

  it('shows the login page when the server no longer knows the session (REST 401, socket 4401)', () => {
    const out = run(SIGNED_IN, { type: 'expired' }).state;
    expect(out).toEqual({ phase: 'signed-out', reason: 'expired', submitting: false, problem: null });
    expect(loginMessage(out)).toBe('Your session has ended: log in again.');
  });

  it('ignores an expiry while nobody is signed in (a late answer)', () => {
    expect(run(SIGNED_OUT, { type: 'expired' }).state).toBe(SIGNED_OUT);
    expect(run(INITIAL_SESSION, { type: 'expired' }).state).toBe(INITIAL_SESSION);
  });

  it('keeps the user signed in and says what the role may not do on a 4403', () => {
    const step = run(SIGNED_IN, { type: 'forbidden' }, { type: 'forbidden' });
    expect(step.state).toEqual({ ...SIGNED_IN, forbidden: 'Your role (viewer) may not read live data.' });
    expect(step.effects).toEqual([]);
  });
});

describe('can', () => {
  it("follows the server's list of actions, not the role's name", () => {
    expect(can(ADA, 'manage_users')).toBe(true);
    expect(can(VERA, 'manage_users')).toBe(false);
    expect(can(VERA, 'read')).toBe(true);
    // An admin whose server grants fewer actions sees fewer controls.
    expect(can({ ...ADA, actions: ['read'] }, 'manage_users')).toBe(false);
    expect(can(null, 'read')).toBe(false);
  });
});
