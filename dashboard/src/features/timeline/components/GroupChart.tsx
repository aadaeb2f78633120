/** One chart of the device view: a group of channels of one unit, history and live joined. */
import { memo, useMemo } from 'react';

import { type ChartEvents, EChart } from '@/components/EChart';

import { type GroupChartInput, groupOption } from '../model/chart-option';

/** Props of {@link GroupChart}: what the chart shows, and how it behaves. */
export interface GroupChartProps extends GroupChartInput {
  readonly device: string;
  readonly events: ChartEvents;
  /** Drag across the plot to zoom (off on touch screens, where dragging scrolls the page). */
  readonly selectZoom: boolean;
  /** Changes when the window does: the chart's zoom returns to its whole axis. */
  readonly zoomKey: string;
}

/** Re-renders when its columns, range or bands change: at most once per animation frame. */
export const GroupChart = memo(function GroupChart({
  device,
  group,
  columns,
  bucketMs,
  range,
  bands,
  scheme,
  events,
  selectZoom,
  zoomKey,
}: GroupChartProps) {
  const option = useMemo(
    () => groupOption({ group, columns, bucketMs, range, bands, scheme }),
    [group, columns, bucketMs, range, bands, scheme],
  );
  const names = group.channels.map((c) => group.names[c.name] ?? c.label).join(', ');
  return (
    <figure className="series">
      <figcaption>
        {group.title} <span className="muted">{group.unit}</span>
      </figcaption>
      <EChart
        className="chart"
        option={option}
        scheme={scheme}
        group={`device-${device}`}
        events={events}
        selectZoom={selectZoom}
        zoomKey={zoomKey}
        data-testid={`chart-${group.id}`}
        data-points={columns.entries}
        role="img"
        aria-label={`${group.title} of ${device} (${names}), ${String(columns.entries)} points`}
      />
    </figure>
  );
});
