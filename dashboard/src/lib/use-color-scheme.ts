/** The user's light/dark preference (`prefers-color-scheme`), live. */
import { useSyncExternalStore } from 'react';

import type { ColorScheme } from './echarts';

const QUERY = '(prefers-color-scheme: dark)';

function subscribe(onChange: () => void): () => void {
  const media = window.matchMedia(QUERY);
  media.addEventListener('change', onChange);
  return () => {
    media.removeEventListener('change', onChange);
  };
}

function getScheme(): ColorScheme {
  return window.matchMedia(QUERY).matches ? 'dark' : 'light';
}

/** The current color scheme; re-renders when the system setting changes. */
export function useColorScheme(): ColorScheme {
  return useSyncExternalStore(subscribe, getScheme, () => 'light');
}
