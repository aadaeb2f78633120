/**
 * Light and dark themes: follow the system (`auto`) or a choice kept in localStorage.
 * The effective scheme goes to `<html data-theme>` for the CSS and to the charts.
 */
import { useCallback, useEffect, useState, useSyncExternalStore } from 'react';

import type { ColorScheme } from './echarts';

/** What the user chose. */
export type ThemePreference = 'auto' | 'light' | 'dark';

const KEY = 'sensebridge.theme';
const QUERY = '(prefers-color-scheme: dark)';
const NEXT: Readonly<Record<ThemePreference, ThemePreference>> = { auto: 'light', light: 'dark', dark: 'auto' };

function subscribe(onChange: () => void): () => void {
  const media = window.matchMedia(QUERY);
  media.addEventListener('change', onChange);
  return () => {
    media.removeEventListener('change', onChange);
  };
}

function systemScheme(): ColorScheme {
  return window.matchMedia(QUERY).matches ? 'dark' : 'light';
}

function stored(): ThemePreference {
  try {
    const value = window.localStorage.getItem(KEY);
    return value === 'light' || value === 'dark' ? value : 'auto';
  } catch {
    return 'auto'; // storage disabled: follow the system
  }
}

/** The effective scheme, the preference and a way to cycle auto -> light -> dark. */
export function useTheme(): { scheme: ColorScheme; preference: ThemePreference; cycle: () => void } {
  const system = useSyncExternalStore(subscribe, systemScheme, () => 'light' as const);
  const [preference, setPreference] = useState<ThemePreference>(stored);
  const scheme = preference === 'auto' ? system : preference;

  useEffect(() => {
    document.documentElement.dataset.theme = scheme;
  }, [scheme]);

  const cycle = useCallback(() => {
    setPreference((current) => {
      const next = NEXT[current];
      try {
        window.localStorage.setItem(KEY, next);
      } catch {
        // storage disabled: the choice lasts for this page only
      }
      return next;
    });
  }, []);

  return { scheme, preference, cycle };
}

/** Whether the main pointer is a mouse or similar (drag-to-zoom makes sense). */
export function usePointerFine(): boolean {
  return useSyncExternalStore(
    (onChange) => {
      const media = window.matchMedia('(pointer: fine)');
      media.addEventListener('change', onChange);
      return () => {
        media.removeEventListener('change', onChange);
      };
    },
    () => window.matchMedia('(pointer: fine)').matches,
    () => false,
  );
}
