/** Public surface of the devices feature: the app imports from here only. */
export { FleetView } from './components/FleetView';
export { type DeviceEvent, deviceList, type Devices, type DeviceView, reduceDevices } from './model/devices';
export { type Badge, BACKLOG_ALERT, deviceBadges, STALE_MS } from './model/health';
