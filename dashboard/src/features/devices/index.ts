/** Public surface of the devices feature: the app imports from here only. */
export { FleetView } from './components/FleetView';
export { deviceList, type Devices } from './model/devices';
export { type FleetState } from './model/fleet';
export { FLEET_REDRAW_MS, FleetRuntime, type FleetRuntimeOptions } from './runtime/fleet-runtime';
export { FleetContext, useFleet, useFleetDevice } from './runtime/hooks';
