/**
 * The fleet: a card per device with its presence (from the retained status), last-seen
 * time, latest environment values, a sparkline and badges for stale or alerting
 * devices. A card opens the device's view.
 */
import type { ReactNode } from 'react';

import { type DeviceInfo, ENVIRONMENT_CHANNELS } from '@/lib/contract';
import { formatAgo, formatDateTime, formatValue } from '@/lib/format';

import { deviceBadges } from '../model/health';

/** Props of {@link FleetView}. */
export interface FleetViewProps {
  readonly devices: readonly DeviceInfo[];
  /** Whether the fleet snapshot has arrived. */
  readonly loaded: boolean;
  /** The time relative times are measured from. */
  readonly now: number;
  /** The link that opens a device. */
  readonly href: (device: string) => string;
  /** The card's chart (the app composes it from the timeline feature). */
  readonly sparkline: (device: string) => ReactNode;
}

interface CardProps {
  readonly view: DeviceInfo;
  readonly now: number;
  readonly href: string;
  readonly sparkline: ReactNode;
}

function DeviceCard({ view, now, href, sparkline }: CardProps) {
  const { device, online, lastReceivedTs: lastSeen, latest } = view;
  const badges = deviceBadges(view, now);
  return (
    <li>
      <a
        className="card"
        href={href}
        data-testid={`device-${device}`}
        data-online={String(online)}
        data-badges={badges.map((b) => b.kind).join(' ')}
      >
        <span className="card-head">
          <span className={`presence ${online ? 'online' : 'offline'}`} aria-hidden="true" />
          <span className="card-name">{device}</span>
          {badges.map((badge) => (
            <span key={badge.kind} className={`badge ${badge.kind}`} title={badge.reason}>
              {badge.label}
              <span className="visually-hidden">: {badge.reason}</span>
            </span>
          ))}
          <span className="card-state">{online ? 'online' : 'offline'}</span>
        </span>
        <span className="card-seen">
          {lastSeen === null ? (
            'never seen'
          ) : (
            <>
              last seen{' '}
              <time dateTime={new Date(lastSeen).toISOString()} title={formatDateTime(lastSeen)}>
                {formatAgo(lastSeen, now)}
              </time>
            </>
          )}
        </span>
        <span className="card-values">
          {ENVIRONMENT_CHANNELS.map((channel) => {
            const value = latest?.values[channel.name];
            return (
              <span key={channel.name} className="card-value" title={channel.label}>
                {value === undefined ? '–' : formatValue(value, channel)}
              </span>
            );
          })}
        </span>
        <span className="card-spark">{sparkline}</span>
      </a>
    </li>
  );
}

/** The grid of device cards. */
export function FleetView({ devices, loaded, now, href, sparkline }: FleetViewProps) {
  if (devices.length === 0) {
    return (
      <p className="empty muted">
        {loaded ? 'No devices yet. Start a device (see the README) and it appears here.' : 'Loading devices…'}
      </p>
    );
  }
  return (
    <ul className="fleet-grid" aria-label="Devices">
      {devices.map((view) => (
        <DeviceCard key={view.device} view={view} now={now} href={href(view.device)} sparkline={sparkline(view.device)} />
      ))}
    </ul>
  );
}
