/**
 * Who uses the dashboard: the session reducer.
 *
 * Pure, like the fleet and timeline reducers: `(state, event) -> { state, effects }`, no
 * I/O. Effects are data — ask who is signed in, ask again after a backoff, log in, log out —
 * and the session runtime carries them out.
 *
 * - **Start.** `GET /api/v1/auth/me`: a user is `signed-in`; 401 is `signed-out` (the login
 *   page); no answer keeps `checking` and asks again with backoff.
 * - **Login.** One attempt at a time; a refusal says why (wrong name or password, too many
 *   attempts with the wait, anything else with its detail). The password travels in the
 *   effect only, never in the state.
 * - **Expiry.** A REST 401 or a live socket closed with 4401 while signed in ends the
 *   session on this side too (`expired`); the page's address is kept, so the login returns
 *   to where the user was.
 * - **Forbidden.** A live socket closed with 4403 keeps the user signed in and says what
 *   the role may not do.
 * - What a user may do is `user.actions` ({@link can}), never the role's name.
 */
import type { Action, CurrentUser } from '@/lib/contract';

/** Why the last login attempt failed. */
export type LoginProblem =
  | { readonly kind: 'bad-credentials' }
  /** 429: wait `retryAfterS` seconds (null: the server did not say). */
  | { readonly kind: 'throttled'; readonly retryAfterS: number | null }
  | { readonly kind: 'failed'; readonly detail: string };

/** Why the login page is shown. */
export type SignedOutReason = 'start' | 'expired' | 'logged-out';

/** Everything the session knows. */
export type SessionState =
  /** Asking the server who is signed in; `problem`: why the last try failed (retrying). */
  | { readonly phase: 'checking'; readonly problem: string | null }
  | {
      readonly phase: 'signed-out';
      readonly reason: SignedOutReason;
      /** A login attempt is under way. */
      readonly submitting: boolean;
      readonly problem: LoginProblem | null;
    }
  | {
      readonly phase: 'signed-in';
      readonly user: CurrentUser;
      /** The live data was refused (4403): what the role may not do, in words; else null. */
      readonly forbidden: string | null;
      /** A logout is under way. */
      readonly loggingOut: boolean;
      /** Why the last logout failed (still signed in), or null. */
      readonly problem: string | null;
    };

/** Inputs. */
export type SessionEvent =
  /** `GET /me` answered a user. */
  | { readonly type: 'me'; readonly user: CurrentUser }
  /** `GET /me` answered 401: nobody is signed in. */
  | { readonly type: 'me-refused' }
  /** Attempt `attempt` (0 for the first) of `GET /me` got no usable answer. */
  | { readonly type: 'me-failed'; readonly attempt: number; readonly error: string }
  /** The user submitted the login form. */
  | { readonly type: 'submit'; readonly username: string; readonly password: string }
  | { readonly type: 'login-ok'; readonly user: CurrentUser }
  | { readonly type: 'login-refused'; readonly problem: LoginProblem }
  /** The user pressed "Log out". */
  | { readonly type: 'logout' }
  | { readonly type: 'logged-out' }
  | { readonly type: 'logout-failed'; readonly error: string }
  /** The server no longer knows this session: a REST 401 or a live socket closed with 4401. */
  | { readonly type: 'expired' }
  /** The live socket was closed with 4403: the role may not read live data. */
  | { readonly type: 'forbidden' };

/** Outputs for the runtime, in order. */
export type SessionEffect =
  /** Ask `GET /me` now. */
  | { readonly type: 'check' }
  /** Ask `GET /me` again after the backoff of failed attempt `attempt`. */
  | { readonly type: 'retry'; readonly attempt: number }
  /** Get a CSRF token, then `POST /login`. */
  | { readonly type: 'login'; readonly username: string; readonly password: string }
  /** Get a CSRF token, then `POST /logout`. */
  | { readonly type: 'logout' };

/** A step's result. */
export interface SessionStep {
  readonly state: SessionState;
  readonly effects: readonly SessionEffect[];
}

/** Before the server has been asked. */
export const INITIAL_SESSION: SessionState = { phase: 'checking', problem: null };

/** The first step: ask who is signed in. */
export function startSession(): SessionStep {
  return { state: INITIAL_SESSION, effects: [{ type: 'check' }] };
}

function signedIn(user: CurrentUser): SessionState {
  return { phase: 'signed-in', user, forbidden: null, loggingOut: false, problem: null };
}

function signedOut(reason: SignedOutReason): SessionState {
  return { phase: 'signed-out', reason, submitting: false, problem: null };
}

const NOTHING: readonly SessionEffect[] = [];

/** Apply one event; an event that does not fit the phase (a late answer) changes nothing. */
export function stepSession(state: SessionState, event: SessionEvent): SessionStep {
  const unchanged = { state, effects: NOTHING };
  switch (event.type) {
    case 'me':
      return state.phase === 'checking' ? { state: signedIn(event.user), effects: NOTHING } : unchanged;
    case 'me-refused':
      return state.phase === 'checking' ? { state: signedOut('start'), effects: NOTHING } : unchanged;
    case 'me-failed':
      return state.phase === 'checking'
        ? { state: { phase: 'checking', problem: event.error }, effects: [{ type: 'retry', attempt: event.attempt }] }
        : unchanged;
    case 'submit':
      if (state.phase !== 'signed-out' || state.submitting) {
        return unchanged;
      }
      return {
        state: { ...state, submitting: true },
        effects: [{ type: 'login', username: event.username, password: event.password }],
      };
    case 'login-ok':
      return state.phase === 'signed-out' && state.submitting ? { state: signedIn(event.user), effects: NOTHING } : unchanged;
    case 'login-refused':
      return state.phase === 'signed-out' && state.submitting
        ? { state: { ...state, submitting: false, problem: event.problem }, effects: NOTHING }
        : unchanged;
    case 'logout':
      return state.phase === 'signed-in' && !state.loggingOut
        ? { state: { ...state, loggingOut: true, problem: null }, effects: [{ type: 'logout' }] }
        : unchanged;
    case 'logged-out':
      return state.phase === 'signed-in' ? { state: signedOut('logged-out'), effects: NOTHING } : unchanged;
    case 'logout-failed':
      return state.phase === 'signed-in'
        ? { state: { ...state, loggingOut: false, problem: `could not log out (${event.error})` }, effects: NOTHING }
        : unchanged;
    case 'expired':
      return state.phase === 'signed-in' ? { state: signedOut('expired'), effects: NOTHING } : unchanged;
    case 'forbidden':
      return state.phase === 'signed-in' && state.forbidden === null
        ? { state: { ...state, forbidden: `Your role (${state.user.role}) may not read live data.` }, effects: NOTHING }
        : unchanged;
  }
}

/** Whether `user` may do `action`: the server's list of the role's actions decides, not the role's name. */
export function can(user: CurrentUser | null, action: Action): boolean {
  return user?.actions.includes(action) ?? false;
}

/** The line the login page shows, or null. */
export function loginMessage(state: SessionState): string | null {
  if (state.phase !== 'signed-out') {
    return null;
  }
  const { problem } = state;
  if (problem !== null) {
    switch (problem.kind) {
      case 'bad-credentials':
        return 'Wrong user name or password.';
      case 'throttled':
        return problem.retryAfterS === null
          ? 'Too many attempts, try again later.'
          : `Too many attempts, try again in ${String(problem.retryAfterS)} s.`;
      case 'failed':
        return `Could not log in: ${problem.detail}`;
    }
  }
  switch (state.reason) {
    case 'start':
      return null;
    case 'expired':
      return 'Your session has ended: log in again.';
    case 'logged-out':
      return 'You have logged out.';
  }
}
