/**
 * The session feature's runtime: it carries out the session reducer's effects (ask who is
 * signed in, log in, log out, retry with backoff), turns what the server says elsewhere into
 * session events, and publishes the session's one store.
 *
 * Two doors report an ended session, both here and nowhere else:
 * - {@link SessionRuntime.guard} wraps the `fetch` of the data features' REST client: any
 *   401 it sees means the server no longer knows this session;
 * - the live socket's refusal (close 4401 / 4403), heard through its {@link LiveFeed}.
 *
 * The session changes seldom, so it publishes at once (no frame batching).
 */
import { ApiError } from '@/lib/api';
import { RetryTimer } from '@/lib/backoff';
import type { LiveFeed } from '@/lib/live-socket';
import { createStore, type Store, type StoreWriter } from '@/lib/store';

import {
  INITIAL_SESSION,
  type LoginProblem,
  type SessionEffect,
  type SessionEvent,
  type SessionState,
  type SessionStep,
  startSession,
  stepSession,
} from '../model/session';
import type { AuthApi } from './auth-api';

const UNAUTHORIZED = 401;
const TOO_MANY_REQUESTS = 429;

/** Collaborators of {@link SessionRuntime}. */
export interface SessionRuntimeOptions {
  readonly api: AuthApi;
  /** The live socket, for its refusals. */
  readonly feed: LiveFeed;
  /** Source of jitter in [0, 1) for the retries of `GET /me`; defaults to `Math.random`. */
  readonly random?: () => number;
}

function describe(error: unknown): string {
  if (error instanceof ApiError) {
    return error.status === null ? error.detail : `HTTP ${String(error.status)}: ${error.detail}`;
  }
  return error instanceof Error ? error.message : String(error);
}

/** What a failed login means for the person at the form. */
function loginProblem(error: unknown): LoginProblem {
  if (error instanceof ApiError && error.code === 'bad_credentials') {
    return { kind: 'bad-credentials' };
  }
  if (error instanceof ApiError && error.status === TOO_MANY_REQUESTS) {
    return { kind: 'throttled', retryAfterS: error.retryAfterS };
  }
  return { kind: 'failed', detail: describe(error) };
}

/** The session: start it, read its store, log in and out. */
export class SessionRuntime {
  private readonly options: SessionRuntimeOptions;
  private readonly writer: StoreWriter<SessionState> = createStore(INITIAL_SESSION);
  private state: SessionState = INITIAL_SESSION;
  private abort = new AbortController();
  private unlisten: (() => void) | null = null;
  private readonly retry: RetryTimer;

  constructor(options: SessionRuntimeOptions) {
    this.options = options;
    this.retry = new RetryTimer(options.random ?? Math.random);
  }

  /** What the UI renders. */
  get store(): Store<SessionState> {
    return this.writer;
  }

  /** Listen to the socket's refusals and ask who is signed in. */
  start(): void {
    if (this.unlisten !== null) {
      return;
    }
    this.abort = new AbortController();
    this.unlisten = this.options.feed.listen((event) => {
      if (event.kind === 'refused') {
        this.dispatch({ type: event.refusal.code === 'forbidden' ? 'forbidden' : 'expired' });
      }
    });
    this.run(startSession());
  }

  /** Stop listening, forget the answers still to come, and start over from nothing. */
  stop(): void {
    this.unlisten?.();
    this.unlisten = null;
    this.abort.abort();
    this.retry.cancel();
    this.state = INITIAL_SESSION;
    this.writer.publish(INITIAL_SESSION);
  }

  /** Try to log in (ignored while an attempt is under way or someone is signed in). */
  login(username: string, password: string): void {
    this.dispatch({ type: 'submit', username, password });
  }

  /** Log out (ignored unless signed in). */
  logout(): void {
    this.dispatch({ type: 'logout' });
  }

  /**
   * A `fetch` for the data features: the same requests, and a 401 answer ends the session
   * here too (the login page follows). The answer still goes to the caller, which fails as
   * for any HTTP error; the app stops the caller's feature in the same turn.
   */
  guard(inner: typeof fetch): typeof fetch {
    return async (input, init) => {
      const response = await inner(input, init);
      if (response.status === UNAUTHORIZED) {
        this.dispatch({ type: 'expired' });
      }
      return response;
    };
  }

  private dispatch(event: SessionEvent): void {
    if (this.unlisten === null) {
      return; // stopped: a late answer or click changes nothing
    }
    this.run(stepSession(this.state, event));
  }

  private run(step: SessionStep): void {
    this.state = step.state;
    for (const effect of step.effects) {
      this.execute(effect);
    }
    this.writer.publish(this.state);
  }

  private execute(effect: SessionEffect): void {
    const { api } = this.options;
    switch (effect.type) {
      case 'check':
        this.check(0);
        return;
      case 'retry':
        this.retry.schedule(effect.attempt, (next) => {
          this.check(next);
        });
        return;
      case 'login':
        this.follow(
          api.login({ username: effect.username, password: effect.password }),
          (user) => ({ type: 'login-ok', user }),
          (error) => ({ type: 'login-refused', problem: loginProblem(error) }),
        );
        return;
      case 'logout':
        this.follow(
          api.logout(),
          () => ({ type: 'logged-out' }),
          (error) => ({ type: 'logout-failed', error: describe(error) }),
        );
        return;
    }
  }

  private check(attempt: number): void {
    this.follow(
      this.options.api.me(this.abort.signal),
      (user) => ({ type: 'me', user }),
      (error) =>
        error instanceof ApiError && error.status === UNAUTHORIZED
          ? { type: 'me-refused' }
          : { type: 'me-failed', attempt, error: describe(error) },
    );
  }

  /** Dispatch the outcome of `promise`, unless the runtime stopped meanwhile. */
  private follow<T>(promise: Promise<T>, ok: (value: T) => SessionEvent, failed: (error: unknown) => SessionEvent): void {
    const { signal } = this.abort;
    promise.then(
      (value) => {
        if (!signal.aborted) {
          this.dispatch(ok(value));
        }
      },
      (error: unknown) => {
        if (!signal.aborted) {
          this.dispatch(failed(error));
        }
      },
    );
  }
}
