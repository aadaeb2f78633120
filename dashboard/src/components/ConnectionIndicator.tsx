/** The live connection, for people and for end-to-end tests: live, reconnecting or paused, and the latency. */
import { formatCount, formatLatency } from '@/lib/format';
import type { ConnectionState } from '@/lib/live-socket';

/** Props of {@link ConnectionIndicator}. */
export interface ConnectionIndicatorProps {
  readonly connection: ConnectionState;
  readonly paused: boolean;
  /** Device timestamp to browser, ms. */
  readonly latencyMs: number | null;
  /** Readings waiting while paused. */
  readonly queued: number;
}

const LABELS: Readonly<Record<ConnectionState, string>> = {
  connecting: 'connecting…',
  live: 'live',
  reconnecting: 'reconnecting…',
  refused: 'not connected',
};

/** A dot, the state (announced when it changes) and the latency or the waiting readings. */
export function ConnectionIndicator({ connection, paused, latencyMs, queued }: ConnectionIndicatorProps) {
  const state = paused ? 'paused' : connection;
  let detail: string | null = null;
  if (paused) {
    detail = `${formatCount(queued)} new`;
  } else if (connection === 'live' && latencyMs !== null) {
    detail = formatLatency(latencyMs);
  }
  return (
    <span
      className={`connection ${state}`}
      data-testid="connection"
      data-state={state}
      data-socket={connection}
      data-latency-ms={latencyMs === null ? '' : Math.round(latencyMs)}
      title="Latency: device timestamp to this browser, averaged over recent frames"
    >
      <span className="connection-dot" aria-hidden="true" />
      <span role="status">{paused ? 'paused' : LABELS[connection]}</span>
      {detail === null ? null : <span className="connection-detail">· {detail}</span>}
    </span>
  );
}
