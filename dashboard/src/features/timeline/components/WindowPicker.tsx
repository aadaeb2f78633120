/** The time window choice: presets that follow live data, a custom range, back to live. */
import { useState } from 'react';

import { formatRange } from '@/lib/format';
import type { TimeRange } from '@/lib/contract';

import { PRESETS, type TimeWindow } from '../model/windows';

/** Props of {@link WindowPicker}. */
export interface WindowPickerProps {
  readonly window: TimeWindow;
  /** Where "Back to live" goes: the live window shown before. */
  readonly liveWindow: TimeWindow;
  /** The range on screen: the custom form starts from it. */
  readonly range: TimeRange;
  readonly onChange: (window: TimeWindow) => void;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** `datetime-local` value of an epoch time, local time zone. */
function toInput(ms: number): string {
  const d = new Date(ms);
  return `${String(d.getFullYear())}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Buttons for 15 min, 1 h, 24 h, 7 d and a custom range. */
export function WindowPicker({ window, liveWindow, range, onChange }: WindowPickerProps) {
  const [custom, setCustom] = useState<{ since: string; until: string } | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  function submit(event: { preventDefault: () => void }) {
    event.preventDefault();
    if (custom === null) {
      return;
    }
    const since = new Date(custom.since).getTime();
    const until = new Date(custom.until).getTime();
    if (!Number.isFinite(since) || !Number.isFinite(until) || since >= until) {
      setProblem('choose a start before the end');
      return;
    }
    setProblem(null);
    setCustom(null);
    onChange({ kind: 'fixed', since, until });
  }

  return (
    <div className="window-picker">
      <div className="segmented" role="group" aria-label="Time window">
        {PRESETS.map((preset) => (
          <button
            key={preset.name}
            type="button"
            aria-pressed={window.kind === 'live' && window.spanMs === preset.spanMs}
            data-testid={`window-${preset.name}`}
            onClick={() => {
              setCustom(null);
              onChange({ kind: 'live', spanMs: preset.spanMs });
            }}
          >
            {preset.label}
          </button>
        ))}
        <button
          type="button"
          aria-pressed={window.kind === 'fixed' || custom !== null}
          aria-expanded={custom !== null}
          data-testid="window-custom"
          onClick={() => {
            setCustom(custom === null ? { since: toInput(range[0]), until: toInput(range[1]) } : null);
          }}
        >
          Custom…
        </button>
      </div>
      {window.kind === 'fixed' ? (
        <span className="zoomed" data-testid="zoomed">
          {formatRange(window.since, window.until)}{' '}
          <button type="button" className="link" onClick={() => { onChange(liveWindow); }}>
            Back to live
          </button>
        </span>
      ) : null}
      {custom === null ? null : (
        <form className="custom-range" onSubmit={submit} aria-label="Custom range">
          <label>
            From{' '}
            <input
              type="datetime-local"
              value={custom.since}
              required
              onChange={(e) => {
                setCustom({ ...custom, since: e.target.value });
              }}
            />
          </label>
          <label>
            To{' '}
            <input
              type="datetime-local"
              value={custom.until}
              required
              onChange={(e) => {
                setCustom({ ...custom, until: e.target.value });
              }}
            />
          </label>
          <button type="submit">Show</button>
          {problem === null ? null : <span className="problem">{problem}</span>}
        </form>
      )}
    </div>
  );
}
