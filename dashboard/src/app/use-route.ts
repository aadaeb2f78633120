/** The route in the location hash, live, and a way to go somewhere else. */
import { useCallback, useMemo, useSyncExternalStore } from 'react';

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

/**
 * `[route, navigate]`; the hash string is the snapshot, so equal routes do not re-render,
 * and the route (with its window) keeps its identity until the hash changes.
 */
export function useRoute(): readonly [Route, (route: Route) => void] {
  const hash = useSyncExternalStore(subscribe, getHash, () => '');
  const route = useMemo(() => parseRoute(hash), [hash]);
  const navigate = useCallback((route: Route) => {
    window.location.hash = routeHash(route);
  }, []);
  return [route, navigate] as const;
}
