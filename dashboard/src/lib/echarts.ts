/**
 * ECharts, assembled from `echarts/core` with only the parts the dashboard draws: line
 * charts on a canvas, datasets, tooltips, legends, gap bands (mark areas) and zoom
 * (inside, slider and the toolbox's drag-to-select).
 */
import { LineChart, type LineSeriesOption } from 'echarts/charts';
import {
  DatasetComponent,
  type DatasetComponentOption,
  DataZoomInsideComponent,
  DataZoomSliderComponent,
  type DataZoomComponentOption,
  GridComponent,
  type GridComponentOption,
  LegendComponent,
  type LegendComponentOption,
  MarkAreaComponent,
  type MarkAreaComponentOption,
  ToolboxComponent,
  type ToolboxComponentOption,
  TooltipComponent,
  type TooltipComponentOption,
} from 'echarts/components';
// Renamed: ECharts' `use` is not a React hook, whatever its name says.
import { type ComposeOption, connect, init, use as registerParts } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

registerParts([
  LineChart,
  DatasetComponent,
  DataZoomInsideComponent,
  DataZoomSliderComponent,
  GridComponent,
  LegendComponent,
  MarkAreaComponent,
  ToolboxComponent,
  TooltipComponent,
  CanvasRenderer,
]);

/** Options the registered parts understand. */
export type ChartOption = ComposeOption<
  | LineSeriesOption
  | DatasetComponentOption
  | DataZoomComponentOption
  | GridComponentOption
  | LegendComponentOption
  | MarkAreaComponentOption
  | ToolboxComponentOption
  | TooltipComponentOption
>;

/** A chart instance. */
export type Chart = ReturnType<typeof init>;

/** Light or dark rendering; `dark` is the theme built into `echarts/core`. */
export type ColorScheme = 'light' | 'dark';

/** Create a chart in `element`. */
export function createChart(element: HTMLElement, scheme: ColorScheme): Chart {
  return init(element, scheme === 'dark' ? 'dark' : null, { renderer: 'canvas' });
}

/** Put a chart in a group whose tooltips and zoom move together. */
export function joinGroup(chart: Chart, group: string): void {
  chart.group = group;
  connect(group);
}
