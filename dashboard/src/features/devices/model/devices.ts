/**
 * The fleet view's reducer: the REST snapshot of devices, then `status` and `frame`
 * messages keep each device's presence, last-seen time and latest values current.
 * Presence and "last seen" compare only the bridge's receive times (one clock).
 *
 * Pure, like the live reducer: events in, new state out, nothing else.
 */
import type { DeviceInfo, FrameMessage, ReadingRow, StatusMessage } from '@/lib/contract';

/**
 * Device id -> what the device list shows about it: the contract's `DeviceInfo` (the REST
 * snapshot's shape), kept current by `status` and `frame` messages.
 */
export type Devices = Readonly<Record<string, DeviceInfo>>;

/** Inputs of the reducer. */
export type DeviceEvent =
  | { readonly type: 'snapshot'; readonly devices: readonly DeviceInfo[] }
  | { readonly type: 'status'; readonly status: StatusMessage }
  | { readonly type: 'frame'; readonly frame: FrameMessage };

function blank(device: string): DeviceInfo {
  return {
    device,
    online: false,
    boot: null,
    lastReceivedTs: null,
    statusReceivedTs: null,
    latest: null,
    pending: null,
    dropped: null,
  };
}

function newest(a: number | null, b: number | null): number | null {
  if (a === null) {
    return b;
  }
  return b === null ? a : Math.max(a, b);
}

function newerReading(a: ReadingRow | null, b: ReadingRow | null): ReadingRow | null {
  if (a === null) {
    return b;
  }
  return b !== null && b.deviceTs >= a.deviceTs ? b : a;
}

function fromSnapshot(current: DeviceInfo | undefined, info: DeviceInfo): DeviceInfo {
  // A status message may have overtaken the snapshot: the newer one wins.
  const seen = current?.statusReceivedTs ?? null;
  const statusWins = seen !== null && (info.statusReceivedTs === null || seen > info.statusReceivedTs);
  const base = current ?? blank(info.device);
  return {
    ...base,
    online: statusWins ? base.online : info.online,
    boot: statusWins ? base.boot : info.boot,
    statusReceivedTs: newest(base.statusReceivedTs, info.statusReceivedTs),
    lastReceivedTs: newest(base.lastReceivedTs, info.lastReceivedTs),
    latest: newerReading(base.latest, info.latest),
    pending: statusWins ? base.pending : info.pending,
    dropped: statusWins ? base.dropped : info.dropped,
  };
}

/** Apply one event. */
export function reduceDevices(state: Devices, event: DeviceEvent): Devices {
  switch (event.type) {
    case 'snapshot': {
      const next: Record<string, DeviceInfo> = { ...state };
      for (const info of event.devices) {
        next[info.device] = fromSnapshot(state[info.device], info);
      }
      return next;
    }
    case 'status': {
      const { status } = event;
      const current = state[status.device] ?? blank(status.device);
      return {
        ...state,
        [status.device]: {
          ...current,
          online: status.online,
          boot: status.boot,
          statusReceivedTs: newest(current.statusReceivedTs, status.receivedTs),
          lastReceivedTs: newest(current.lastReceivedTs, status.receivedTs),
          pending: status.pending,
          dropped: status.dropped,
        },
      };
    }
    case 'frame': {
      const { frame } = event;
      const last = frame.readings[frame.readings.length - 1];
      if (last === undefined) {
        return state;
      }
      const current = state[frame.device] ?? blank(frame.device);
      return {
        ...state,
        [frame.device]: {
          ...current,
          boot: frame.boot,
          lastReceivedTs: newest(current.lastReceivedTs, last.receivedTs),
          latest: newerReading(current.latest, last),
        },
      };
    }
  }
}

/** Devices in display order (by id). */
export function deviceList(state: Devices): DeviceInfo[] {
  return Object.values(state).sort((a, b) => (a.device < b.device ? -1 : a.device > b.device ? 1 : 0));
}
