/** The live charts of one device: temperature, humidity and pressure. */
import { memo } from 'react';

import type { Channel } from '@/lib/contract';
import type { ColorScheme } from '@/lib/echarts';

import { NO_POINTS } from '../model/ring';
import type { Stream } from '../model/streams';
import { SeriesChart } from './SeriesChart';

/** Props of {@link DeviceCharts}. */
export interface DeviceChartsProps {
  readonly device: string;
  readonly online: boolean;
  /** Undefined until the device has a stream (history requested or a frame seen). */
  readonly stream: Stream | undefined;
  readonly channels: readonly Channel[];
  readonly scheme: ColorScheme;
}

/** A card with one chart per channel. */
export const DeviceCharts = memo(function DeviceCharts({
  device,
  online,
  stream,
  channels,
  scheme,
}: DeviceChartsProps) {
  const loading = stream?.loaded !== true;
  return (
    <section className="device-charts" aria-labelledby={`charts-${device}`}>
      <h2 id={`charts-${device}`}>
        {device}
        <span className={`badge ${online ? 'online' : 'offline'}`}>{online ? 'online' : 'offline'}</span>
        {loading ? <span className="muted small">loading history…</span> : null}
      </h2>
      <div className="series-grid">
        {channels.map((channel) => (
          <SeriesChart
            key={channel.name}
            device={device}
            channel={channel}
            ring={stream?.series[channel.name] ?? NO_POINTS}
            scheme={scheme}
          />
        ))}
      </div>
    </section>
  );
});
