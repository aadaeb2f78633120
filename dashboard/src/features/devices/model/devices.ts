/**
 * The fleet view's reducer: the REST snapshot of devices, then `status` and `frame`
 * messages keep each device's presence, last-seen time and latest values current.
 *
 * Pure, like the live reducer: events in, new state out, nothing else.
 */
import type { DeviceInfo } from '@/lib/api';
import type { FrameMessage, StatusMessage } from '@/lib/protocol';
import type { ReadingRow } from '@/lib/reading';

/** What the device list shows about one device. */
export interface DeviceView {
  readonly device: string;
  readonly online: boolean;
  readonly boot: string | null;
  /** Epoch ms of the newest reading or status seen. */
  readonly lastSeen: number | null;
  /** Epoch ms of the newest status message. */
  readonly statusTs: number | null;
  readonly latest: ReadingRow | null;
  /** Readings waiting in the device's outbox, as of its last status. */
  readonly pending: number | null;
  /** Readings its outbox had to drop, as of its last status. */
  readonly dropped: number | null;
}

/** Device id -> view. */
export type Devices = Readonly<Record<string, DeviceView>>;

/** Inputs of the reducer. */
export type DeviceEvent =
  | { readonly type: 'snapshot'; readonly devices: readonly DeviceInfo[] }
  | { readonly type: 'status'; readonly status: StatusMessage }
  | { readonly type: 'frame'; readonly frame: FrameMessage };

function blank(device: string): DeviceView {
  return {
    device,
    online: false,
    boot: null,
    lastSeen: null,
    statusTs: null,
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
  return b !== null && b.ts >= a.ts ? b : a;
}

function fromSnapshot(current: DeviceView | undefined, info: DeviceInfo): DeviceView {
  // A status message may have overtaken the snapshot: the newer one wins.
  const seen = current?.statusTs ?? null;
  const statusWins = seen !== null && (info.statusTs === null || seen > info.statusTs);
  const base = current ?? blank(info.device);
  return {
    ...base,
    online: statusWins ? base.online : info.online,
    boot: statusWins ? base.boot : info.boot,
    statusTs: newest(base.statusTs, info.statusTs),
    lastSeen: newest(base.lastSeen, info.lastSeen),
    latest: newerReading(base.latest, info.latest),
    pending: statusWins ? base.pending : info.pending,
    dropped: statusWins ? base.dropped : info.dropped,
  };
}

/** Apply one event. */
export function reduceDevices(state: Devices, event: DeviceEvent): Devices {
  switch (event.type) {
    case 'snapshot': {
      const next: Record<string, DeviceView> = { ...state };
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
          statusTs: status.ts ?? current.statusTs,
          lastSeen: newest(current.lastSeen, status.ts),
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
          lastSeen: newest(current.lastSeen, last.rx > 0 ? last.rx : last.ts),
          latest: newerReading(current.latest, last),
        },
      };
    }
  }
}

/** Devices in display order (by id). */
export function deviceList(state: Devices): DeviceView[] {
  return Object.values(state).sort((a, b) => (a.device < b.device ? -1 : a.device > b.device ? 1 : 0));
}
