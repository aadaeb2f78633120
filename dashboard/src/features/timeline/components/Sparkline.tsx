/** A fleet card's chart: one channel over the last minutes, gaps as breaks. */
import { memo, useMemo } from 'react';

import { EChart } from '@/components/EChart';
import type { Channel } from '@/lib/contract';
import type { ColorScheme } from '@/lib/echarts';

import { sparklineOption } from '../model/chart-option';
import { type ChartColumns, NO_COLUMNS } from '../model/columns';
import { type TimeWindow, windowRange } from '../model/windows';

/** Props of {@link Sparkline}. */
export interface SparklineProps {
  readonly device: string;
  readonly channel: Channel;
  readonly columns: ChartColumns | undefined;
  readonly window: TimeWindow;
  /** The axis ends here (the view's `drawnAt`). */
  readonly now: number;
  readonly scheme: ColorScheme;
}

/** A small chart without axes. */
export const Sparkline = memo(function Sparkline({ device, channel, columns, window, now, scheme }: SparklineProps) {
  const data = columns ?? NO_COLUMNS;
  const range = useMemo(() => windowRange(window, now), [window, now]);
  const option = useMemo(() => sparklineOption(channel, data, range, scheme), [channel, data, range, scheme]);
  return (
    <EChart
      className="sparkline"
      option={option}
      scheme={scheme}
      data-testid={`spark-${device}`}
      data-points={data.entries}
      role="img"
      aria-label={`${channel.label} of ${device}, last minutes`}
    />
  );
});
