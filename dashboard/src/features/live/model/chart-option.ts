/** Builds the ECharts option of one live series: a pure function of its points. */
import type { Channel } from '@/lib/contract';
import type { ChartOption, ColorScheme } from '@/lib/echarts';
import { formatValue } from '@/lib/format';

import type { Point } from './ring';

const COLORS: Readonly<Record<ColorScheme, Readonly<Record<string, string>>>> = {
  light: { temperature: '#e4572e', humidity: '#2e86de', pressure: '#8e5cc4' },
  dark: { temperature: '#f0714a', humidity: '#4ea3f0', pressure: '#b48ae8' },
};

/** The option of one line chart; `animation: false` and LTTB keep it cheap at any rate. */
export function seriesOption(channel: Channel, points: readonly Point[], scheme: ColorScheme): ChartOption {
  const muted = scheme === 'dark' ? '#8b93a1' : '#6b7280';
  const grid = scheme === 'dark' ? '#2a2f3a' : '#e5e7eb';
  return {
    animation: false,
    backgroundColor: 'transparent',
    // The right margin leaves room for the last time label, which is centred on its tick.
    grid: { left: 8, right: 24, top: 10, bottom: 4, outerBoundsMode: 'same', outerBoundsContain: 'axisLabel' },
    tooltip: {
      trigger: 'axis',
      valueFormatter: (value) => (typeof value === 'number' ? formatValue(value, channel) : '–'),
    },
    xAxis: {
      type: 'time',
      axisLabel: { color: muted, hideOverlap: true },
      axisLine: { lineStyle: { color: grid } },
      splitLine: { show: false },
    },
    yAxis: {
      type: 'value',
      scale: true,
      splitNumber: 3,
      // No thousands separator: `1013` hPa reads better than `1,013`.
      axisLabel: { color: muted, formatter: (value: number) => String(value) },
      splitLine: { lineStyle: { color: grid } },
    },
    series: [
      {
        id: channel.name,
        name: channel.label,
        type: 'line',
        data: points as Point[], // ECharts copies the data and never writes to it
        showSymbol: false,
        connectNulls: false,
        sampling: 'lttb',
        color: COLORS[scheme][channel.name] ?? (scheme === 'dark' ? '#e5e7eb' : '#111827'),
        lineStyle: { width: 1.5 },
      },
    ],
  };
}
