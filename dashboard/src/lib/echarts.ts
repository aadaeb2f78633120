/**
 * ECharts, assembled from `echarts/core` with only the parts the dashboard draws, so
 * the bundle carries line charts on a canvas and nothing else.
 */
import { LineChart, type LineSeriesOption } from 'echarts/charts';
import {
  GridComponent,
  type GridComponentOption,
  TooltipComponent,
  type TooltipComponentOption,
} from 'echarts/components';
// Renamed: ECharts' `use` is not a React hook, whatever its name says.
import { type ComposeOption, init, use as registerParts } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

registerParts([LineChart, GridComponent, TooltipComponent, CanvasRenderer]);

/** Options the registered parts understand. */
export type ChartOption = ComposeOption<LineSeriesOption | GridComponentOption | TooltipComponentOption>;

/** A chart instance. */
export type Chart = ReturnType<typeof init>;

/** Light or dark rendering; `dark` is the theme built into `echarts/core`. */
export type ColorScheme = 'light' | 'dark';

/** Create a chart in `element`. */
export function createChart(element: HTMLElement, scheme: ColorScheme): Chart {
  return init(element, scheme === 'dark' ? 'dark' : null, { renderer: 'canvas' });
}
