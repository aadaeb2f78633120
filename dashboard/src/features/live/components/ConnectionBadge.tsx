/** The live connection's state, for people and for end-to-end tests. */
import type { ConnectionState } from '@/lib/live-socket';

const LABELS: Readonly<Record<ConnectionState, string>> = {
  connecting: 'connecting…',
  live: 'live',
  reconnecting: 'reconnecting…',
};

/** A dot and a word: connecting, live or reconnecting. */
export function ConnectionBadge({ state }: { readonly state: ConnectionState }) {
  return (
    <span className={`connection ${state}`} data-testid="connection" data-state={state} role="status" aria-live="polite">
      <span className="connection-dot" aria-hidden="true" />
      {LABELS[state]}
    </span>
  );
}
