/**
 * The dashboard page: the login page until someone is signed in; then the header
 * (connection, pause, theme, the user and "Log out", the links the role may use) and the
 * fleet or one device.
 *
 * Composition only: the features' runtimes come from the {@link Dashboard} through
 * their contexts, the route picks the page, and what one feature needs of another
 * (presence for a device's charts, the charts' clock for the fleet's relative times)
 * passes through here as props. The route stays in the address while the login page is
 * shown, so logging in (again) returns to it.
 */
import { type ReactNode, useCallback, useEffect, useMemo, useState } from 'react';

import { ConnectionIndicator } from '@/components/ConnectionIndicator';
import { deviceList, FleetContext, type FleetState, FleetView, useFleet, useFleetDevice } from '@/features/devices';
import { LoginPage, SessionContext, type SessionState, useCan, UserMenu, useSession, useSessionActions } from '@/features/session';
import {
  DEFAULT_WINDOW,
  DeviceView,
  LiveSparkline,
  TimelineContext,
  type TimeWindow,
  useDeviceTimeline,
  useExportUrl,
  usePlayback,
} from '@/features/timeline';
import type { ColorScheme } from '@/lib/echarts';
import { usePointerFine, useTheme } from '@/lib/use-theme';

import type { Dashboard } from './dashboard';
import { type Route, routeHash } from './route';
import { useRoute } from './use-route';

const THEME_LABELS = { auto: 'Theme: system', light: 'Theme: light', dark: 'Theme: dark' } as const;

/** Sparklines drawn at most (each is a chart instance). */
export const MAX_SPARKLINES = 64;

/** The whole dashboard: starts `dashboard` while mounted and provides its runtimes. */
export function App({ dashboard }: { readonly dashboard: Dashboard }) {
  useEffect(() => {
    dashboard.start();
    return () => {
      dashboard.stop();
    };
  }, [dashboard]);
  return (
    <SessionContext value={dashboard.session}>
      <FleetContext value={dashboard.fleet}>
        <TimelineContext value={dashboard.timelines}>
          <Gate />
        </TimelineContext>
      </FleetContext>
    </SessionContext>
  );
}

/** The login page, or the dashboard once someone is signed in. */
function Gate() {
  const session = useSession();
  const { login } = useSessionActions();
  switch (session.phase) {
    case 'signed-in':
      return <Page session={session} />;
    case 'signed-out':
      return (
        <Shell>
          <main className="main">
            <LoginPage session={session} onLogin={login} />
          </main>
        </Shell>
      );
    case 'checking':
      return (
        <Shell>
          <main className="main">
            <p className="muted" data-testid="session-checking">
              Checking who is signed in…
            </p>
            {session.problem === null ? null : (
              <p className="problem" role="alert">
                Cannot reach the server ({session.problem}); retrying.
              </p>
            )}
          </main>
        </Shell>
      );
  }
}

/** The page before anyone is signed in: the title and the theme switch. */
function Shell({ children }: { readonly children: ReactNode }) {
  return (
    <div className="app">
      <header className="app-header">
        <h1>
          <a href="#/">sensebridge</a>
        </h1>
        <span className="header-actions">
          <ThemeButton />
        </span>
      </header>
      {children}
    </div>
  );
}

function ThemeButton() {
  const { preference, cycle } = useTheme();
  return (
    <button type="button" className="button subtle" data-testid="theme" onClick={cycle} title="Switch theme">
      {THEME_LABELS[preference]}
    </button>
  );
}

function Page({ session }: { readonly session: Extract<SessionState, { phase: 'signed-in' }> }) {
  const fleet = useFleet();
  const { paused, clock, queued, pause, resume } = usePlayback();
  const { scheme } = useTheme();
  const { logout } = useSessionActions();
  const mayManageUsers = useCan('manage_users');
  const fine = usePointerFine();
  const [route, navigate] = useRoute();
  const [liveWindow, setLiveWindow] = useState<TimeWindow>(DEFAULT_WINDOW);
  const routeWindow = route.page === 'device' ? route.window : null;
  if (routeWindow?.kind === 'live' && routeWindow.spanMs !== (liveWindow.kind === 'live' ? liveWindow.spanMs : -1)) {
    setLiveWindow(routeWindow); // remembered for "Back to live" after a zoom
  }
  const problems = [session.forbidden, session.problem, fleet.problem];

  return (
    <div className="app">
      <header className="app-header">
        <h1>
          <a href="#/">sensebridge</a>
        </h1>
        <ConnectionIndicator connection={fleet.connection} paused={paused} latencyMs={fleet.latencyMs} queued={queued} />
        <span className="header-actions">
          <button
            type="button"
            className="button"
            data-testid="pause"
            aria-pressed={paused}
            onClick={paused ? resume : pause}
          >
            {paused ? '▶ Resume' : '❚❚ Pause'}
          </button>
          <ThemeButton />
          {mayManageUsers ? (
            <a className="button subtle" href="/admin/" data-testid="admin-link" title="Users, devices and credentials">
              Admin
            </a>
          ) : null}
          <UserMenu user={session.user} loggingOut={session.loggingOut} onLogout={logout} />
        </span>
        {problems.map((problem) =>
          problem === null ? null : (
            <p key={problem} className="problem" role="alert">
              {problem}
            </p>
          ),
        )}
      </header>
      <main className="main">
        {route.page === 'device' ? (
          <DevicePage
            device={route.device}
            window={route.window}
            liveWindow={liveWindow}
            clock={clock}
            scheme={scheme}
            selectZoom={fine}
            navigate={navigate}
          />
        ) : (
          <FleetPage fleet={fleet} clock={clock} scheme={scheme} />
        )}
      </main>
    </div>
  );
}

interface FleetPageProps {
  readonly fleet: FleetState;
  readonly clock: number;
  readonly scheme: ColorScheme;
}

/** The fleet's cards, each with the sparkline of its timeline (the first {@link MAX_SPARKLINES}). */
function FleetPage({ fleet, clock, scheme }: FleetPageProps) {
  const devices = useMemo(() => deviceList(fleet.devices), [fleet.devices]);
  const sparked = useMemo(
    () => new Map(devices.slice(0, MAX_SPARKLINES).map((view) => [view.device, view.online])),
    [devices],
  );
  const sparkline = useCallback(
    (device: string) => {
      const online = sparked.get(device);
      return online === undefined ? null : <LiveSparkline device={device} online={online} scheme={scheme} />;
    },
    [sparked, scheme],
  );
  return (
    <>
      <h2 className="section-title">
        Devices <span className="muted small">{devices.length > 0 ? String(devices.length) : ''}</span>
      </h2>
      <FleetView
        devices={devices}
        loaded={fleet.loaded}
        now={clock}
        href={(id) => routeHash({ page: 'device', device: id, window: DEFAULT_WINDOW })}
        sparkline={sparkline}
      />
    </>
  );
}

interface DevicePageProps {
  readonly device: string;
  readonly window: TimeWindow;
  readonly liveWindow: TimeWindow;
  readonly clock: number;
  readonly scheme: ColorScheme;
  readonly selectZoom: boolean;
  readonly navigate: (route: Route) => void;
}

/** One device's charts, with its presence from the fleet. */
function DevicePage({ device, window, liveWindow, clock, scheme, selectZoom, navigate }: DevicePageProps) {
  const shown = useFleetDevice(device);
  const online = shown?.online ?? null;
  const view = useDeviceTimeline(device, window, online);
  const exportUrl = useExportUrl();
  const onWindow = useCallback(
    (next: TimeWindow) => {
      navigate({ page: 'device', device, window: next });
    },
    [device, navigate],
  );
  const exportHref = useCallback((since: number, until: number) => exportUrl(device, since, until), [device, exportUrl]);
  return (
    <DeviceView
      device={device}
      online={online}
      lastReceivedTs={shown?.lastReceivedTs ?? null}
      lastDeviceTs={shown?.latest?.deviceTs ?? null}
      window={window}
      liveWindow={liveWindow}
      view={view}
      clock={clock}
      scheme={scheme}
      selectZoom={selectZoom}
      exportHref={exportHref}
      onWindow={onWindow}
    />
  );
}
