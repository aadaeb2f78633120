/** Public surface of the timeline feature: the app imports from here only. */
export { DeviceView } from './components/DeviceView';
export { LiveSparkline } from './components/LiveSparkline';
export { DEVICE_CHANNELS } from './model/groups';
export { type TimelineView } from './model/view';
export { DEFAULT_WINDOW, PRESETS, type TimeWindow } from './model/windows';
export {
  DEVICE_TIMELINE,
  MAX_REDRAW_MS,
  SPARKLINE_TIMELINE,
  TIMELINE_REDRAW_MS,
  type TimelineRedrawLimits,
} from './runtime/config';
export {
  type Playback,
  TimelineContext,
  useDeviceTimeline,
  useExportUrl,
  usePlayback,
  useSparklineTimeline,
} from './runtime/hooks';
export { TimelineRuntime, type TimelineRuntimeOptions, type TimelinesState } from './runtime/timeline-runtime';
