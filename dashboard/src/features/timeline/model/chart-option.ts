/**
 * ECharts options of the timeline charts, as pure functions of columns and view state.
 *
 * Every channel draws as a mean line over a min/max band (two stacked series: the
 * minimum, invisible, and `max - min` filled on top), all on one keyed-column dataset.
 * Lines break at NaN rows (never `connectNulls`), gaps get shaded bands, and nothing
 * animates: live data must not wobble.
 */
import type { Channel, TimeRange } from '@/lib/contract';
import type { ChartOption, ColorScheme } from '@/lib/echarts';
import { formatBucket, formatDateTime, formatNumber, formatValue } from '@/lib/format';

import type { ChartColumns } from './columns';
import type { ChartGroup } from './groups';

/** Why a stretch is shaded. */
export type BandKind = 'gap' | 'missing' | 'offline';

/** A shaded stretch of the time axis. */
export interface Band {
  readonly range: TimeRange;
  readonly kind: BandKind;
}

const PALETTE: Readonly<Record<ColorScheme, readonly string[]>> = {
  light: ['#2563eb', '#e4572e', '#16a34a', '#8e5cc4'],
  dark: ['#60a5fa', '#f0714a', '#4ade80', '#b48ae8'],
};

const SINGLE: Readonly<Record<ColorScheme, Readonly<Record<string, string>>>> = {
  light: { temperature: '#e4572e', humidity: '#2e86de', pressure: '#8e5cc4' },
  dark: { temperature: '#f0714a', humidity: '#4ea3f0', pressure: '#b48ae8' },
};

const BAND_COLORS: Readonly<Record<ColorScheme, Readonly<Record<BandKind, string>>>> = {
  light: { gap: 'rgba(100, 116, 139, 0.16)', missing: 'rgba(217, 119, 6, 0.18)', offline: 'rgba(100, 116, 139, 0.24)' },
  dark: { gap: 'rgba(148, 163, 184, 0.14)', missing: 'rgba(245, 158, 11, 0.2)', offline: 'rgba(148, 163, 184, 0.22)' },
};

interface Theme {
  readonly muted: string;
  readonly grid: string;
}

function theme(scheme: ColorScheme): Theme {
  return scheme === 'dark' ? { muted: '#8b93a1', grid: '#2a2f3a' } : { muted: '#6b7280', grid: '#e5e7eb' };
}

/** Color of a channel's line in a chart of `count` channels. */
export function seriesColor(scheme: ColorScheme, channel: string, index: number, count: number): string {
  const single = count === 1 ? SINGLE[scheme][channel] : undefined;
  const palette = PALETTE[scheme];
  return single ?? palette[index % palette.length] ?? '#888888';
}

function dataset(columns: ChartColumns, channels: readonly Channel[]): Record<string, readonly number[]> {
  const source: Record<string, readonly number[]> = { x: columns.x };
  for (const { name } of channels) {
    const series = columns.series[name];
    source[`${name}:mean`] = series?.mean ?? [];
    source[`${name}:min`] = series?.min ?? [];
    source[`${name}:span`] = series?.span ?? [];
  }
  return source;
}

function markArea(bands: readonly Band[], scheme: ColorScheme) {
  return {
    silent: true,
    data: bands.map(
      (band): [{ xAxis: number; itemStyle: { color: string } }, { xAxis: number }] => [
        { xAxis: band.range[0], itemStyle: { color: BAND_COLORS[scheme][band.kind] } },
        { xAxis: band.range[1] },
      ],
    ),
  };
}

interface Hovered {
  readonly seriesId?: string;
  readonly dataIndex: number;
  readonly marker?: unknown;
}

function tooltipText(group: ChartGroup, columns: ChartColumns, bucketMs: number, items: readonly Hovered[]): string {
  const first = items[0];
  if (first === undefined) {
    return '';
  }
  const at = columns.x[first.dataIndex] ?? NaN;
  const lines = [`<b>${formatDateTime(bucketMs > 0 ? at - bucketMs / 2 : at)}</b> ${formatBucket(bucketMs)}`];
  for (const item of items) {
    const name = item.seriesId?.endsWith(':mean') === true ? item.seriesId.slice(0, -5) : null;
    const channel = group.channels.find((c) => c.name === name);
    const series = name === null ? undefined : columns.series[name];
    if (channel === undefined || series === undefined) {
      continue;
    }
    const mean = series.mean[item.dataIndex] ?? NaN;
    if (Number.isNaN(mean)) {
      continue;
    }
    const low = series.min[item.dataIndex] ?? NaN;
    const high = low + (series.span[item.dataIndex] ?? NaN);
    const spread = high > low ? ` <span style="opacity:.7">(${formatNumber(low, channel)} – ${formatNumber(high, channel)})</span>` : '';
    const marker = typeof item.marker === 'string' ? item.marker : '';
    lines.push(`${marker}${group.names[channel.name] ?? channel.label} <b>${formatValue(mean, channel)}</b>${spread}`);
  }
  return lines.join('<br/>');
}

/** An axis label: up to six decimals, no trailing zeros, no thousands separator. */
export function axisNumber(value: number): string {
  return String(Number(value.toFixed(6)));
}

/** Bounds and tick interval of an angle axis: multiples of 30° inside [0, 360]. */
export function angleAxis(columns: ChartColumns, channels: readonly Channel[]): { min: number; max: number; interval: number } {
  let low = Infinity;
  let high = -Infinity;
  for (const { name } of channels) {
    const series = columns.series[name];
    series?.min.forEach((value, i) => {
      if (!Number.isNaN(value)) {
        low = Math.min(low, value);
        high = Math.max(high, value + (series.span[i] ?? 0));
      }
    });
  }
  if (low > high) {
    return { min: 0, max: 360, interval: 90 };
  }
  const min = Math.max(0, Math.floor(low / 30) * 30);
  const max = Math.min(360, Math.max(min + 30, Math.ceil(high / 30) * 30));
  return { min, max, interval: 30 * Math.ceil((max - min) / 30 / 4) };
}

/** What a device-view chart shows. */
export interface GroupChartInput {
  readonly group: ChartGroup;
  readonly columns: ChartColumns;
  readonly bucketMs: number;
  /** The x axis, epoch ms. */
  readonly range: TimeRange;
  readonly bands: readonly Band[];
  readonly scheme: ColorScheme;
}

/** The option of one chart of the device view. */
export function groupOption({ group, columns, bucketMs, range, bands, scheme }: GroupChartInput): ChartOption {
  const { muted, grid } = theme(scheme);
  const multi = group.channels.length > 1;
  const angles = group.unit === '°';
  const series: NonNullable<ChartOption['series']> = [];
  group.channels.forEach((channel, i) => {
    const color = seriesColor(scheme, channel.name, i, group.channels.length);
    const name = group.names[channel.name] ?? channel.label;
    // All three series of a channel share its name (the legend toggles them together) and color.
    const common = { type: 'line' as const, name, color, datasetIndex: 0, symbol: 'none', silent: true, animation: false };
    if (bucketMs > 0) {
      // Raw readings have no spread to show: the band exists only for buckets.
      series.push(
        { ...common, id: `${channel.name}:low`, encode: { x: 'x', y: `${channel.name}:min` }, stack: channel.name, stackStrategy: 'all', lineStyle: { opacity: 0 } },
        {
          ...common,
          id: `${channel.name}:band`,
          encode: { x: 'x', y: `${channel.name}:span` },
          stack: channel.name,
          stackStrategy: 'all',
          lineStyle: { opacity: 0 },
          areaStyle: { color, opacity: 0.2 },
        },
      );
    }
    series.push(
      {
        ...common,
        id: `${channel.name}:mean`,
        silent: false,
        encode: { x: 'x', y: `${channel.name}:mean` },
        lineStyle: { width: 1.5 },
        connectNulls: false,
        // More points than pixels: LTTB keeps the shape (and one NaN per pixel, so gaps stay).
        sampling: 'lttb',
        ...(i === 0 ? { markArea: markArea(bands, scheme) } : {}),
      },
    );
  });
  return {
    animation: false,
    backgroundColor: 'transparent',
    dataset: { source: dataset(columns, group.channels) },
    grid: { left: 8, right: 24, top: multi ? 30 : 12, bottom: 4, outerBoundsMode: 'same', outerBoundsContain: 'axisLabel' },
    ...(multi
      ? {
          legend: {
            top: 0,
            right: 8,
            itemWidth: 14,
            itemHeight: 8,
            textStyle: { color: muted, fontSize: 11 },
            data: group.channels.map((c) => group.names[c.name] ?? c.label),
          },
        }
      : {}),
    tooltip: {
      trigger: 'axis',
      confine: true,
      formatter: ((params: unknown) =>
        tooltipText(group, columns, bucketMs, (Array.isArray(params) ? params : [params]) as Hovered[])) as never,
    },
    toolbox: {
      show: true,
      left: -1000, // the drag-to-zoom cursor needs the feature; its buttons stay out of sight
      feature: { dataZoom: { yAxisIndex: 'none', filterMode: 'none', icon: { zoom: 'path://M0,0', back: 'path://M0,0' } } },
    },
    dataZoom: [
      {
        type: 'inside',
        xAxisIndex: 0,
        filterMode: 'none',
        zoomOnMouseWheel: 'ctrl',
        moveOnMouseMove: false,
        moveOnMouseWheel: false,
        // A finger dragging over a chart scrolls the page, as everywhere else.
        preventDefaultMouseMove: false,
      },
    ],
    xAxis: {
      type: 'time',
      min: range[0],
      max: range[1],
      axisLabel: { color: muted, hideOverlap: true },
      axisLine: { lineStyle: { color: grid } },
      splitLine: { show: false },
    },
    yAxis: {
      type: 'value',
      scale: true,
      splitNumber: 3,
      // Angles live in [0, 360]: ticks on multiples of 30°, never past the circle.
      ...(angles ? angleAxis(columns, group.channels) : {}),
      // No thousands separator: `1013` hPa reads better than `1,013`.
      axisLabel: { color: muted, formatter: axisNumber },
      splitLine: { lineStyle: { color: grid } },
    },
    series,
  };
}

/** The option of a fleet card's sparkline: one channel, no axes, gaps as breaks. */
export function sparklineOption(channel: Channel, columns: ChartColumns, range: TimeRange, scheme: ColorScheme): ChartOption {
  const color = seriesColor(scheme, channel.name, 0, 1);
  const common = { type: 'line' as const, datasetIndex: 0, symbol: 'none', silent: true, animation: false };
  return {
    animation: false,
    backgroundColor: 'transparent',
    dataset: { source: dataset(columns, [channel]) },
    grid: { left: 2, right: 2, top: 3, bottom: 3 },
    xAxis: { type: 'time', min: range[0], max: range[1], show: false },
    yAxis: { type: 'value', scale: true, show: false },
    series: [
      { ...common, encode: { x: 'x', y: `${channel.name}:min` }, stack: 'band', stackStrategy: 'all', lineStyle: { opacity: 0 } },
      {
        ...common,
        encode: { x: 'x', y: `${channel.name}:span` },
        stack: 'band',
        stackStrategy: 'all',
        lineStyle: { opacity: 0 },
        areaStyle: { color, opacity: 0.2 },
      },
      { ...common, encode: { x: 'x', y: `${channel.name}:mean` }, color, lineStyle: { width: 1.25 }, connectNulls: false },
    ],
  };
}

/**
 * The overview strip above the device charts: readings per bucket as the shadow of a
 * slider whose handles select a range to zoom to (reported once, on release).
 */
export function overviewOption(columns: ChartColumns, range: TimeRange, scheme: ColorScheme): ChartOption {
  const { muted } = theme(scheme);
  return {
    animation: false,
    backgroundColor: 'transparent',
    dataset: { source: { x: columns.x, count: columns.count } },
    grid: { left: 12, right: 12, top: 0, height: 1 },
    xAxis: { type: 'time', min: range[0], max: range[1], show: false },
    yAxis: { type: 'value', show: false },
    series: [{ type: 'line', datasetIndex: 0, encode: { x: 'x', y: 'count' }, symbol: 'none', silent: true, lineStyle: { opacity: 0 } }],
    dataZoom: [
      {
        type: 'slider',
        xAxisIndex: 0,
        filterMode: 'none',
        realtime: false,
        left: 12,
        right: 12,
        top: 4,
        bottom: 4,
        showDetail: true,
        labelFormatter: (value: number) => formatDateTime(value).slice(5),
        textStyle: { color: muted, fontSize: 10 },
        brushSelect: false,
      },
    ],
  };
}

/** The range a `datazoom` event selects, given the x axis it zoomed; null if it says none. */
export function zoomFromEvent(event: unknown, axis: TimeRange): TimeRange | null {
  if (typeof event !== 'object' || event === null) {
    return null;
  }
  const outer = event as { batch?: unknown };
  const item = (Array.isArray(outer.batch) ? (outer.batch[0] as unknown) : event) as Record<string, unknown>;
  const { startValue, endValue, start, end } = item;
  let from: number;
  let to: number;
  if (typeof startValue === 'number' && typeof endValue === 'number') {
    [from, to] = [startValue, endValue];
  } else if (typeof start === 'number' && typeof end === 'number') {
    const span = axis[1] - axis[0];
    [from, to] = [axis[0] + (span * start) / 100, axis[0] + (span * end) / 100];
  } else {
    return null;
  }
  from = Math.max(axis[0], Math.round(from));
  to = Math.min(axis[1], Math.round(to));
  return to - from >= 1000 ? [from, to] : null;
}
