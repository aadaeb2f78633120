/** The dashboard page: header, device list and the live charts of the shown devices. */
import { useEffect, useMemo, useSyncExternalStore } from 'react';

import { DeviceList, deviceList, useSelection } from '@/features/devices';
import { ConnectionBadge, DeviceCharts } from '@/features/live';
import { ENVIRONMENT_CHANNELS } from '@/lib/contract';
import { useColorScheme } from '@/lib/use-color-scheme';

import type { Telemetry } from './telemetry';

/** With nothing selected, the first this many devices get charts. */
export const MAX_DEFAULT_CHARTS = 12;

/** The whole dashboard, fed by one {@link Telemetry}. */
export function App({ telemetry }: { readonly telemetry: Telemetry }) {
  const state = useSyncExternalStore(telemetry.store.subscribe, telemetry.store.getSnapshot);
  const scheme = useColorScheme();
  const { selected, toggle } = useSelection();
  const devices = useMemo(() => deviceList(state.devices), [state.devices]);
  const shown = useMemo(
    () => (selected.size > 0 ? devices.filter((d) => selected.has(d.device)) : devices.slice(0, MAX_DEFAULT_CHARTS)),
    [devices, selected],
  );
  const shownKey = shown.map((d) => d.device).join(' ');

  useEffect(() => {
    telemetry.start();
    return () => {
      telemetry.stop();
    };
  }, [telemetry]);

  useEffect(() => {
    telemetry.show(shownKey === '' ? [] : shownKey.split(' '));
  }, [telemetry, shownKey]);

  return (
    <div className="app">
      <header className="app-header">
        <h1>sensebridge</h1>
        <ConnectionBadge state={state.connection} />
        {state.problem === null ? null : (
          <p className="problem" role="alert">
            {state.problem}
          </p>
        )}
      </header>
      <main className="layout">
        <aside className="fleet">
          <h2 className="section-title">
            Devices
            {selected.size > 0 ? <span className="muted small"> {selected.size} selected</span> : null}
          </h2>
          <DeviceList devices={devices} selected={selected} onToggle={toggle} loaded={state.fleetLoaded} />
        </aside>
        <div className="charts">
          {shown.map((view) => (
            <DeviceCharts
              key={view.device}
              device={view.device}
              online={view.online}
              stream={state.streams[view.device]}
              channels={ENVIRONMENT_CHANNELS}
              scheme={scheme}
            />
          ))}
          {selected.size === 0 && devices.length > MAX_DEFAULT_CHARTS ? (
            <p className="muted">
              Showing {MAX_DEFAULT_CHARTS} of {devices.length} devices; select devices in the list to choose.
            </p>
          ) : null}
        </div>
      </main>
    </div>
  );
}
