/**
 * The session's hooks: the app provides a {@link SessionRuntime} through
 * {@link SessionContext}, components read its store. {@link useCan} is the one place a
 * control asks whether the signed-in user may use it.
 */
import { createContext, useContext, useMemo, useSyncExternalStore } from 'react';

import type { Action, CurrentUser } from '@/lib/contract';
import { can, type SessionState } from '../model/session';
import type { SessionRuntime } from './session-runtime';

/** The session runtime of the page; the app's composition root provides it. */
export const SessionContext = createContext<SessionRuntime | null>(null);

function useSessionRuntime(): SessionRuntime {
  const runtime = useContext(SessionContext);
  if (runtime === null) {
    throw new Error('the session hooks need a SessionContext provider (see src/app/App.tsx)');
  }
  return runtime;
}

/** The session as last published. */
export function useSession(): SessionState {
  const { store } = useSessionRuntime();
  return useSyncExternalStore(store.subscribe, store.getSnapshot);
}

/** The signed-in user, or null. */
export function useCurrentUser(): CurrentUser | null {
  const { store } = useSessionRuntime();
  return useSyncExternalStore(store.subscribe, () => {
    const state = store.getSnapshot();
    return state.phase === 'signed-in' ? state.user : null;
  });
}

/**
 * Whether the signed-in user may do `action` (from `me.actions`, never the role's name):
 * a control the user may not use is not rendered. The server refuses it anyway.
 */
export function useCan(action: Action): boolean {
  return can(useCurrentUser(), action);
}

/** What the page may ask of the session. */
export interface SessionActions {
  readonly login: (username: string, password: string) => void;
  readonly logout: () => void;
}

/** The session's commands: log in, log out (stable across renders). */
export function useSessionActions(): SessionActions {
  const runtime = useSessionRuntime();
  return useMemo(
    () => ({
      login: (username: string, password: string) => {
        runtime.login(username, password);
      },
      logout: () => {
        runtime.logout();
      },
    }),
    [runtime],
  );
}
