/**
 * The fleet's hooks: the app provides a {@link FleetRuntime} through
 * {@link FleetContext}, components read its store.
 */
import { createContext, useContext, useSyncExternalStore } from 'react';

import type { DeviceInfo } from '@/lib/contract';
import type { FleetState } from '../model/fleet';
import type { FleetRuntime } from './fleet-runtime';

/** The fleet runtime of the page; the app's composition root provides it. */
export const FleetContext = createContext<FleetRuntime | null>(null);

function useFleetRuntime(): FleetRuntime {
  const runtime = useContext(FleetContext);
  if (runtime === null) {
    throw new Error('useFleet needs a FleetContext provider (see src/app/App.tsx)');
  }
  return runtime;
}

/** The fleet as last drawn: devices, connection, latency and the latest problem. */
export function useFleet(): FleetState {
  const { store } = useFleetRuntime();
  return useSyncExternalStore(store.subscribe, store.getSnapshot);
}

/** One device as last drawn, or undefined while the fleet does not know it. */
export function useFleetDevice(device: string): DeviceInfo | undefined {
  const { store } = useFleetRuntime();
  return useSyncExternalStore(store.subscribe, () => store.getSnapshot().devices[device]);
}
