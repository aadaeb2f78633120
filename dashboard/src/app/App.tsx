/** The dashboard page: header (connection, pause, theme), then the fleet or one device. */
import { useCallback, useEffect, useMemo, useState, useSyncExternalStore } from 'react';

import { ConnectionIndicator } from '@/components/ConnectionIndicator';
import { deviceList, FleetView } from '@/features/devices';
import { DEFAULT_WINDOW, DeviceView, Sparkline, type TimeWindow } from '@/features/timeline';
import { channel } from '@/lib/contract';
import { usePointerFine, useTheme } from '@/lib/use-theme';

import { routeHash } from './route';
import type { Telemetry } from './telemetry';
import { useRoute } from './use-route';

const SPARK_CHANNEL = channel('temperature');
const THEME_LABELS = { auto: 'Theme: system', light: 'Theme: light', dark: 'Theme: dark' } as const;

/** The whole dashboard, fed by one {@link Telemetry}. */
export function App({ telemetry }: { readonly telemetry: Telemetry }) {
  const state = useSyncExternalStore(telemetry.store.subscribe, telemetry.store.getSnapshot);
  const { scheme, preference, cycle } = useTheme();
  const fine = usePointerFine();
  const [route, navigate] = useRoute();
  const routeKey = routeHash(route);
  const devices = useMemo(() => deviceList(state.devices), [state.devices]);
  const [liveWindow, setLiveWindow] = useState<TimeWindow>(DEFAULT_WINDOW);
  const routeWindow = route.page === 'device' ? route.window : null;
  if (routeWindow?.kind === 'live' && routeWindow.spanMs !== (liveWindow.kind === 'live' ? liveWindow.spanMs : -1)) {
    setLiveWindow(routeWindow); // remembered for "Back to live" after a zoom
  }

  useEffect(() => {
    telemetry.start();
    return () => {
      telemetry.stop();
    };
  }, [telemetry]);

  useEffect(() => {
    telemetry.show(route);
    // The hash names the route: equal hashes are equal routes.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [telemetry, routeKey]);

  const sparkline = useCallback(
    (device: string) => {
      const view = state.timelines[`spark:${device}`];
      if (view === undefined) {
        return null; // beyond MAX_SPARKLINES, or not started yet
      }
      return (
        <Sparkline
          device={device}
          channel={SPARK_CHANNEL}
          columns={view.columns}
          window={DEFAULT_WINDOW}
          now={view.drawnAt}
          scheme={scheme}
        />
      );
    },
    [state.timelines, scheme],
  );

  const device = route.page === 'device' ? route.device : null;
  const onWindow = useCallback(
    (window: TimeWindow) => {
      if (device !== null) {
        navigate({ page: 'device', device, window });
      }
    },
    [device, navigate],
  );
  const exportHref = useCallback(
    (since: number, until: number) => (device === null ? '#/' : telemetry.exportUrl(device, since, until)),
    [device, telemetry],
  );

  const queued = Object.values(state.timelines).reduce((sum, view) => sum + view.queued, 0);
  const shown = device === null ? undefined : state.devices[device];

  return (
    <div className="app">
      <header className="app-header">
        <h1>
          <a href="#/">sensebridge</a>
        </h1>
        <ConnectionIndicator
          connection={state.connection}
          paused={state.paused}
          latencyMs={state.latencyMs}
          queued={queued}
        />
        <span className="header-actions">
          <button
            type="button"
            className="button"
            data-testid="pause"
            aria-pressed={state.paused}
            onClick={() => {
              if (state.paused) {
                telemetry.resume();
              } else {
                telemetry.pause();
              }
            }}
          >
            {state.paused ? '▶ Resume' : '❚❚ Pause'}
          </button>
          <button type="button" className="button subtle" data-testid="theme" onClick={cycle} title="Switch theme">
            {THEME_LABELS[preference]}
          </button>
        </span>
        {state.problem === null ? null : (
          <p className="problem" role="alert">
            {state.problem}
          </p>
        )}
      </header>
      <main className="main">
        {route.page === 'device' ? (
          <DeviceView
            device={route.device}
            online={shown?.online ?? null}
            lastSeen={shown?.lastSeen ?? null}
            window={route.window}
            liveWindow={liveWindow}
            view={state.timelines[`device:${route.device}`]}
            clock={state.clock}
            scheme={scheme}
            selectZoom={fine}
            exportHref={exportHref}
            onWindow={onWindow}
          />
        ) : (
          <>
            <h2 className="section-title">
              Devices <span className="muted small">{devices.length > 0 ? String(devices.length) : ''}</span>
            </h2>
            <FleetView
              devices={devices}
              loaded={state.fleetLoaded}
              now={state.clock}
              href={(id) => routeHash({ page: 'device', device: id, window: DEFAULT_WINDOW })}
              sparkline={sparkline}
            />
          </>
        )}
      </main>
    </div>
  );
}
