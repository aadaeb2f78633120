/** Public surface of the timeline feature: the app imports from here only. */
export { DeviceView } from './components/DeviceView';
export { Sparkline } from './components/Sparkline';
export { SeriesBuffer, type Sample } from './model/buffer';
export { type Band, type BandKind } from './model/chart-option';
export { buildColumns, type ChartColumns, NO_COLUMNS } from './model/columns';
export { CHART_GROUPS, DEVICE_CHANNELS } from './model/groups';
export {
  nextWakeup,
  openTimeline,
  type Step,
  stepTimeline,
  type TimelineConfig,
  type TimelineEffect,
  type TimelineEvent,
  type TimelineState,
} from './model/timeline';
export { type TimelineView } from './model/view';
export { addGap, DEFAULT_WINDOW, PRESETS, sameWindow, type TimeWindow, windowRange } from './model/windows';
