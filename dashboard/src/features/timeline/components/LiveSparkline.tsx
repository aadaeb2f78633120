/** A fleet card's sparkline, fed by its own timeline while the card is on screen. */
import { memo } from 'react';

import { channel } from '@/lib/contract';
import type { ColorScheme } from '@/lib/echarts';

import { SPARKLINE_WINDOW } from '../runtime/config';
import { useSparklineTimeline } from '../runtime/hooks';
import { Sparkline } from './Sparkline';

const SPARK_CHANNEL = channel('temperature');

/** Props of {@link LiveSparkline}. */
export interface LiveSparklineProps {
  readonly device: string;
  /** Presence from the fleet. */
  readonly online: boolean;
  readonly scheme: ColorScheme;
}

/** Nothing until the timeline's first view is drawn, then the sparkline. */
export const LiveSparkline = memo(function LiveSparkline({ device, online, scheme }: LiveSparklineProps) {
  const view = useSparklineTimeline(device, online);
  if (view === undefined) {
    return null;
  }
  return (
    <Sparkline
      device={device}
      channel={SPARK_CHANNEL}
      columns={view.columns}
      window={SPARKLINE_WINDOW}
      now={view.drawnAt}
      scheme={scheme}
    />
  );
});
