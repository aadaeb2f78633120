/** The strip above the device charts: readings per bucket, with a slider to zoom. */
import { memo, useMemo } from 'react';

import { type ChartEvents, EChart } from '@/components/EChart';
import type { ColorScheme } from '@/lib/echarts';
import type { TimeRange } from '@/lib/contract';

import { overviewOption } from '../model/chart-option';
import type { ChartColumns } from '../model/columns';

/** Props of {@link Overview}. */
export interface OverviewProps {
  readonly columns: ChartColumns;
  readonly range: TimeRange;
  readonly scheme: ColorScheme;
  readonly events: ChartEvents;
  readonly zoomKey: string;
}

/** Drag the handles to zoom; the charts re-query at the finer resolution. */
export const Overview = memo(function Overview({ columns, range, scheme, events, zoomKey }: OverviewProps) {
  const option = useMemo(() => overviewOption(columns, range, scheme), [columns, range, scheme]);
  return (
    <EChart
      className="overview"
      option={option}
      scheme={scheme}
      events={events}
      zoomKey={zoomKey}
      data-testid="overview"
      role="group"
      aria-label="Zoom slider: drag its handles to choose a range"
    />
  );
});
