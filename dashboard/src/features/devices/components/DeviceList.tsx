/** The fleet: one entry per device with its presence, last-seen time and latest values. */
import { ENVIRONMENT_CHANNELS } from '@/lib/contract';
import { formatTime, formatValue } from '@/lib/format';

import type { DeviceView } from '../model/devices';

/** Props of {@link DeviceList}. */
export interface DeviceListProps {
  readonly devices: readonly DeviceView[];
  /** Picked devices; empty means the dashboard shows all. */
  readonly selected: ReadonlySet<string>;
  readonly onToggle: (device: string) => void;
  /** Whether the fleet snapshot has arrived. */
  readonly loaded: boolean;
}

function DeviceEntry({ view, selected, onToggle }: { view: DeviceView; selected: boolean; onToggle: (device: string) => void }) {
  const { device, online, lastSeen, latest } = view;
  return (
    <li>
      <button
        type="button"
        className="device"
        data-testid={`device-${device}`}
        data-online={String(online)}
        aria-pressed={selected}
        onClick={() => {
          onToggle(device);
        }}
      >
        <span className="device-head">
          <span className={`presence ${online ? 'online' : 'offline'}`} aria-hidden="true" />
          <span className="device-name">{device}</span>
          <span className="device-state">{online ? 'online' : 'offline'}</span>
        </span>
        <span className="device-seen">
          {lastSeen === null ? 'never seen' : <>last seen <time dateTime={new Date(lastSeen).toISOString()}>{formatTime(lastSeen)}</time></>}
        </span>
        <span className="device-values">
          {ENVIRONMENT_CHANNELS.map((channel) => {
            const value = latest?.values[channel.name];
            return (
              <span key={channel.name} className="device-value" title={channel.label}>
                {value === undefined ? '–' : formatValue(value, channel)}
              </span>
            );
          })}
        </span>
      </button>
    </li>
  );
}

/** The device list; clicking an entry adds it to or removes it from the selection. */
export function DeviceList({ devices, selected, onToggle, loaded }: DeviceListProps) {
  if (devices.length === 0) {
    return <p className="muted">{loaded ? 'No devices yet.' : 'Loading devices…'}</p>;
  }
  return (
    <ul className="device-list" aria-label="Devices">
      {devices.map((view) => (
        <DeviceEntry key={view.device} view={view} selected={selected.has(view.device)} onToggle={onToggle} />
      ))}
    </ul>
  );
}
