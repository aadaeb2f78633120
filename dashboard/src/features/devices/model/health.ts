/**
 * Which devices need a look: pure rules over a device's view and the time.
 *
 * - **stale**: the device says it is online, but no reading has arrived for
 *   {@link STALE_MS} (its sampler may be stuck, or its readings may not get through);
 * - **alert**: its outbox reports trouble: readings dropped (lost for good), or a
 *   backlog of at least {@link BACKLOG_ALERT} readings not yet stored.
 */
import type { DeviceInfo } from '@/lib/contract';

/** A badge on a fleet card. */
export interface Badge {
  readonly kind: 'stale' | 'alert';
  /** One word on the card. */
  readonly label: string;
  /** The reason, as a sentence (tooltip and screen readers). */
  readonly reason: string;
}

/** No reading for this long while online makes a device stale. */
export const STALE_MS = 15_000;

/** Unstored readings from this many on raise an alert. */
export const BACKLOG_ALERT = 1000;

/** The badges of one device at time `now`. */
export function deviceBadges(view: DeviceInfo, now: number): Badge[] {
  const badges: Badge[] = [];
  if (view.online) {
    // The bridge's receive time: "now" is the browser's clock, never compared with a device's.
    const last = view.latest?.receivedTs ?? null;
    if (last === null) {
      badges.push({ kind: 'stale', label: 'stale', reason: 'online, but no reading has arrived yet' });
    } else if (now - last > STALE_MS) {
      const seconds = Math.round((now - last) / 1000);
      badges.push({ kind: 'stale', label: 'stale', reason: `online, but no reading for ${String(seconds)} s` });
    }
  }
  const problems: string[] = [];
  if (view.dropped !== null && view.dropped > 0) {
    problems.push(`its outbox dropped ${String(view.dropped)} readings`);
  }
  if (view.pending !== null && view.pending >= BACKLOG_ALERT) {
    problems.push(`${String(view.pending)} readings wait to be stored`);
  }
  if (problems.length > 0) {
    badges.push({ kind: 'alert', label: 'alert', reason: problems.join('; ') });
  }
  return badges;
}
