/** The route in the location hash, live, and a way to go somewhere else. */
import { useCallback, useSyncExternalStore } from 'react';

import { parseRoute, type Route, routeHash } from './route';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => {
    window.removeEventListener('hashchange', onChange);
  };
}

function getHash(): string {
  return window.location.hash;
}

/** `[route, navigate]`; the hash string is the snapshot, so equal routes do not re-render. */
export function useRoute(): readonly [Route, (route: Route) => void] {
  const hash = useSyncExternalStore(subscribe, getHash, () => '');
  const navigate = useCallback((route: Route) => {
    window.location.hash = routeHash(route);
  }, []);
  return [parseRoute(hash), navigate] as const;
}
