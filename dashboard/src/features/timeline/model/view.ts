/** The immutable view of a timeline that its charts render. */
import type { ChartColumns } from './columns';
import type { Band } from './chart-option';
import type { TimelineState } from './timeline';
import type { TimeWindow } from './windows';

/** What the charts of one timeline render. */
export interface TimelineView {
  readonly key: string;
  readonly device: string;
  readonly window: TimeWindow;
  readonly phase: TimelineState['phase'];
  readonly error: string | null;
  /** Resolution of the columns: 0 for raw readings. */
  readonly bucketMs: number;
  readonly columns: ChartColumns;
  readonly bands: readonly Band[];
  /** Missing ranges still being fetched. */
  readonly holes: number;
  /** Readings waiting (history loading, or paused). */
  readonly queued: number;
  /** Start of the first entry and time of the newest reading, epoch ms. */
  readonly first: number | null;
  readonly lastTs: number | null;
  /** "Now" of this view: when it was built, or when the timeline was paused. */
  readonly drawnAt: number;
}

