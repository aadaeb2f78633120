/**
 * One device: every Sense HAT channel in seven charts, history and live data in one
 * line, with the window picker, zoom (drag across a chart, the overview slider, or
 * Ctrl + wheel), CSV export of the visible range and honest gap bands.
 */
import { useMemo } from 'react';

import type { ChartEvents } from '@/components/EChart';
import type { ColorScheme } from '@/lib/echarts';
import { formatAgo, formatBucket, formatCount, formatDateTime } from '@/lib/format';

import { type Band, zoomFromEvent } from '../model/chart-option';
import { NO_COLUMNS } from '../model/columns';
import { CHART_GROUPS } from '../model/groups';
import type { TimelineView } from '../model/view';
import { type TimeWindow, windowRange } from '../model/windows';
import { GroupChart } from './GroupChart';
import { Overview } from './Overview';
import { WindowPicker } from './WindowPicker';

/** Props of {@link DeviceView}. */
export interface DeviceViewProps {
  readonly device: string;
  /** Presence from the fleet: null while unknown. */
  readonly online: boolean | null;
  /** Bridge clock: when the fleet last heard from the device ("last seen"). */
  readonly lastReceivedTs: number | null;
  /** Device clock: the newest reading the fleet knows of (where an offline band starts without a view). */
  readonly lastDeviceTs: number | null;
  readonly window: TimeWindow;
  /** Where "Back to live" goes. */
  readonly liveWindow: TimeWindow;
  readonly view: TimelineView | undefined;
  /** Now, for "last seen" (the charts' axis follows the view's `drawnAt`). */
  readonly clock: number;
  readonly scheme: ColorScheme;
  /** Whether a mouse-like pointer can drag to select (not on touch screens). */
  readonly selectZoom: boolean;
  readonly exportHref: (since: number, until: number) => string;
  readonly onWindow: (window: TimeWindow) => void;
}

function windowName(window: TimeWindow): string {
  return window.kind === 'live' ? `live:${String(window.spanMs)}` : `fixed:${String(window.since)}-${String(window.until)}`;
}

function status(view: TimelineView | undefined, gaps: number): string {
  if (view === undefined || (view.phase !== 'ready' && view.columns.entries === 0)) {
    return view?.error == null ? 'loading history…' : `history unavailable (${view.error}); retrying`;
  }
  const parts = [formatBucket(view.bucketMs), `${formatCount(view.columns.readings)} readings`];
  parts.push(gaps === 0 ? 'no gaps' : gaps === 1 ? '1 gap' : `${String(gaps)} gaps`);
  if (view.holes > 0) {
    parts.push(`fetching ${String(view.holes)} missing range${view.holes === 1 ? '' : 's'}`);
  }
  if (view.phase !== 'ready') {
    parts.push('loading…');
  }
  return parts.join(' · ');
}

/** The device page. */
export function DeviceView({
  device,
  online,
  lastReceivedTs,
  lastDeviceTs,
  window,
  liveWindow,
  view,
  clock,
  scheme,
  selectZoom,
  exportHref,
  onWindow,
}: DeviceViewProps) {
  // The axis moves with the data: both change when the view is redrawn, so one setOption each.
  const drawnAt = view?.drawnAt ?? clock;
  const range = useMemo(() => windowRange(window, drawnAt), [window, drawnAt]);
  const zoomKey = windowName(window);
  const events: ChartEvents = useMemo(
    () => ({
      datazoom: (event: unknown) => {
        const zoom = zoomFromEvent(event, range);
        if (zoom !== null && (zoom[0] !== range[0] || zoom[1] !== range[1])) {
          onWindow({ kind: 'fixed', since: zoom[0], until: zoom[1] });
        }
      },
    }),
    [range, onWindow],
  );

  const lastTs = view?.lastTs ?? null;
  const bands = useMemo((): readonly Band[] => {
    const base = view?.bands ?? [];
    if (online !== false) {
      return base;
    }
    const since = lastTs ?? lastDeviceTs ?? range[0];
    return since < drawnAt ? [...base, { range: [since, drawnAt], kind: 'offline' }] : base;
  }, [view?.bands, online, lastTs, lastDeviceTs, range, drawnAt]);

  const columns = view?.columns ?? NO_COLUMNS;
  const gaps = view?.bands.filter((b) => b.kind === 'gap').length ?? 0;
  const bucketMs = view?.bucketMs ?? 0;

  return (
    <section
      className="device-view"
      aria-labelledby="device-title"
      data-testid="device-view"
      data-device={device}
      data-phase={view?.phase ?? 'waiting'}
      data-window={windowName(window)}
      data-since={range[0]}
      data-until={range[1]}
      data-bucket-ms={bucketMs}
      data-readings={columns.readings}
      data-first={view?.first ?? ''}
      data-last-ts={lastTs ?? ''}
      data-holes={view?.holes ?? 0}
      data-gaps={gaps}
      data-queued={view?.queued ?? 0}
    >
      <div className="device-head">
        <a className="back" href="#/">
          ← Fleet
        </a>
        <h2 id="device-title">{device}</h2>
        {online === null ? null : (
          <span className={`badge ${online ? 'online' : 'offline'}`} data-testid="presence">
            {online ? 'online' : 'offline'}
          </span>
        )}
        {lastReceivedTs === null ? null : (
          <span className="muted small" title={formatDateTime(lastReceivedTs)}>
            last seen {formatAgo(lastReceivedTs, clock)}
          </span>
        )}
      </div>
      <div className="toolbar">
        <WindowPicker window={window} liveWindow={liveWindow} range={range} onChange={onWindow} />
        <a
          className="button"
          href={exportHref(range[0], range[1])}
          download
          data-testid="export-csv"
          title="Every raw reading of the visible range, as CSV"
        >
          Export CSV
        </a>
      </div>
      <Overview columns={columns} range={range} scheme={scheme} events={events} zoomKey={zoomKey} />
      <p className="chart-status muted small" role="status" data-testid="chart-status">
        {status(view, gaps)}
        {selectZoom ? ' · drag across a chart to zoom' : ''}
      </p>
      <div className="series-grid">
        {CHART_GROUPS.map((group) => (
          <GroupChart
            key={group.id}
            device={device}
            group={group}
            columns={columns}
            bucketMs={bucketMs}
            range={range}
            bands={bands}
            scheme={scheme}
            events={events}
            selectZoom={selectZoom}
            zoomKey={zoomKey}
          />
        ))}
      </div>
      <p className="legend-note muted small">
        Lines are means per bucket, shaded bands their minimum to maximum; grey stretches had no readings
        {' '}(offline or missing), amber ones are being fetched. Lines never bridge a gap.
      </p>
    </section>
  );
}
