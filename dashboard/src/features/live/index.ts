/** Public surface of the live feature: the app imports from here only. */
export { ConnectionBadge } from './components/ConnectionBadge';
export { DeviceCharts } from './components/DeviceCharts';
export { countValues, type Point, type Ring } from './model/ring';
export {
  emptyStream,
  reduceStreams,
  type Stream,
  type StreamEvent,
  type StreamOptions,
  type Streams,
} from './model/streams';
