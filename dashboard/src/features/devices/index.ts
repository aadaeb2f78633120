/** Public surface of the devices feature: the app imports from here only. */
export { DeviceList } from './components/DeviceList';
export { useSelection, type Selection } from './hooks/use-selection';
export { type DeviceEvent, deviceList, type Devices, type DeviceView, reduceDevices } from './model/devices';
