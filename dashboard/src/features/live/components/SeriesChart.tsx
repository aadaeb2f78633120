/** One live line chart: a channel of one device. */
import { memo, useMemo } from 'react';

import { EChart } from '@/components/EChart';
import type { Channel } from '@/lib/contract';
import type { ColorScheme } from '@/lib/echarts';

import { seriesOption } from '../model/chart-option';
import { countValues, type Ring } from '../model/ring';

/** Props of {@link SeriesChart}. */
export interface SeriesChartProps {
  readonly device: string;
  readonly channel: Channel;
  readonly ring: Ring;
  readonly scheme: ColorScheme;
}

/**
 * Re-renders only when its ring changes; the store publishes once per animation
 * frame, so the chart gets at most one `setOption` per frame.
 */
export const SeriesChart = memo(function SeriesChart({ device, channel, ring, scheme }: SeriesChartProps) {
  const option = useMemo(() => seriesOption(channel, ring.points, scheme), [channel, ring, scheme]);
  const points = useMemo(() => countValues(ring), [ring]);
  return (
    <figure className="series">
      <figcaption>
        {channel.label} <span className="muted">{channel.unit}</span>
      </figcaption>
      <EChart
        className="chart"
        option={option}
        scheme={scheme}
        data-testid={`chart-${device}-${channel.name}`}
        data-points={points}
        role="img"
        aria-label={`${channel.label} of ${device}, ${String(points)} points`}
      />
    </figure>
  );
});
