/**
 * The live view's event reducer: history snapshot first, then frames in sequence order.
 *
 * Pure: `(state, event) -> state`, no I/O and no clock. Frames that arrive before a
 * device's history is loaded wait in a bounded queue and are applied right after it,
 * so the charts show history and live data joined without duplicates. Rules:
 *
 * - Within one boot, a reading whose `seq` is not above the last applied one is a
 *   duplicate and is ignored; a jump in `seq` is a gap.
 * - A new boot id is a break too (the device restarted; its `seq` starts again).
 * - REST history carries no boot id, so after history the boot is unknown: a frame
 *   reading is a duplicate when it is not newer than the history's last `ts`.
 * - A gap or a break inserts one `null` point into every series, so the chart shows
 *   a hole instead of a straight line across missing data.
 */
import type { FrameMessage } from '@/lib/protocol';
import type { ReadingRow } from '@/lib/reading';

import { emptyRing, type Point, pushPoints, type Ring } from './ring';

/** Limits and series of the reducer. */
export interface StreamOptions {
  /** Channels kept as series (others in the readings are ignored). */
  readonly channels: readonly string[];
  /** Points kept per series. */
  readonly capacity: number;
  /** Frames kept while a device's history is loading; older ones are dropped. */
  readonly maxQueuedFrames: number;
}

/** What the live view knows about one device. */
export interface Stream {
  /** Whether the history snapshot has been applied. */
  readonly loaded: boolean;
  /** Frames waiting for the history snapshot. */
  readonly queued: readonly FrameMessage[];
  /** Boot id of the last applied reading; null when unknown. */
  readonly boot: string | null;
  readonly lastSeq: number | null;
  readonly lastTs: number | null;
  /** Channel name -> points. */
  readonly series: Readonly<Record<string, Ring>>;
  /** Gaps and boot changes marked so far. */
  readonly breaks: number;
}

/** Device id -> stream. */
export type Streams = Readonly<Record<string, Stream>>;

/** Inputs of the reducer. */
export type StreamEvent =
  | { readonly type: 'history'; readonly device: string; readonly readings: readonly ReadingRow[] }
  | { readonly type: 'frame'; readonly frame: FrameMessage };

/** A stream with no data, waiting for its history. */
export function emptyStream(options: StreamOptions): Stream {
  const series: Record<string, Ring> = {};
  for (const name of options.channels) {
    series[name] = emptyRing(options.capacity);
  }
  return { loaded: false, queued: [], boot: null, lastSeq: null, lastTs: null, series, breaks: 0 };
}

/** Mutable scratch of one application step; frozen into a new {@link Stream} at the end. */
interface Cursor {
  boot: string | null;
  lastSeq: number | null;
  lastTs: number | null;
  breaks: number;
  readonly added: Map<string, Point[]>;
}

function cursorOf(stream: Stream, options: StreamOptions): Cursor {
  const added = new Map<string, Point[]>(options.channels.map((name) => [name, []]));
  return { boot: stream.boot, lastSeq: stream.lastSeq, lastTs: stream.lastTs, breaks: stream.breaks, added };
}

function markBreak(cursor: Cursor, nextTs: number): void {
  if (cursor.lastTs === null) {
    return;
  }
  const at = Math.max(cursor.lastTs, Math.floor((cursor.lastTs + nextTs) / 2));
  for (const points of cursor.added.values()) {
    points.push([at, null]);
  }
  cursor.breaks += 1;
}

function append(cursor: Cursor, row: ReadingRow): void {
  for (const [name, points] of cursor.added) {
    const value = row.values[name];
    if (value !== undefined) {
      points.push([row.ts, value]);
    }
  }
  cursor.lastSeq = row.seq;
  cursor.lastTs = row.ts;
}

function applyHistory(cursor: Cursor, readings: readonly ReadingRow[]): void {
  let previous: ReadingRow | null = null;
  for (const row of readings) {
    if (previous !== null) {
      if (row.seq === previous.seq && row.ts === previous.ts) {
        continue; // the same row twice, where two history pages overlap
      }
      if (row.seq !== previous.seq + 1) {
        markBreak(cursor, row.ts);
      }
    }
    append(cursor, row);
    previous = row;
  }
  cursor.boot = null;
}

function applyFrame(cursor: Cursor, frame: FrameMessage): void {
  const known = cursor.boot;
  const bootChanged = known !== null && known !== frame.boot;
  if (bootChanged) {
    cursor.lastSeq = null;
  }
  for (const row of frame.readings) {
    const last = cursor.lastSeq;
    if (known === null && cursor.lastTs !== null && row.ts <= cursor.lastTs) {
      continue; // already in the history snapshot
    }
    if (!bootChanged && known !== null && last !== null && row.seq <= last) {
      continue; // duplicate, or older than what is shown
    }
    if ((last === null || row.seq !== last + 1) && cursor.lastTs !== null) {
      markBreak(cursor, row.ts);
    }
    append(cursor, row);
  }
  cursor.boot = frame.boot;
}

function freeze(stream: Stream, cursor: Cursor, queued: readonly FrameMessage[], loaded: boolean): Stream {
  let changed = false;
  const series: Record<string, Ring> = {};
  for (const [name, ring] of Object.entries(stream.series)) {
    const added = cursor.added.get(name) ?? [];
    series[name] = pushPoints(ring, added);
    changed ||= added.length > 0;
  }
  const same =
    !changed &&
    loaded === stream.loaded &&
    queued === stream.queued &&
    cursor.boot === stream.boot &&
    cursor.lastSeq === stream.lastSeq &&
    cursor.lastTs === stream.lastTs;
  if (same) {
    return stream;
  }
  return {
    loaded,
    queued,
    boot: cursor.boot,
    lastSeq: cursor.lastSeq,
    lastTs: cursor.lastTs,
    series: changed ? series : stream.series,
    breaks: cursor.breaks,
  };
}

/** Apply one event to one device's stream. */
export function reduceStream(stream: Stream, event: StreamEvent, options: StreamOptions): Stream {
  if (event.type === 'frame') {
    if (!stream.loaded) {
      const queued = [...stream.queued, event.frame].slice(-options.maxQueuedFrames);
      return { ...stream, queued };
    }
    const cursor = cursorOf(stream, options);
    applyFrame(cursor, event.frame);
    return freeze(stream, cursor, stream.queued, true);
  }
  if (stream.loaded) {
    return stream; // one snapshot per stream; later gaps come from frames
  }
  const cursor = cursorOf(stream, options);
  applyHistory(cursor, event.readings);
  for (const frame of stream.queued) {
    applyFrame(cursor, frame);
  }
  return freeze(stream, cursor, [], true);
}

/** Apply one event to the streams of all devices. */
export function reduceStreams(state: Streams, event: StreamEvent, options: StreamOptions): Streams {
  const device = event.type === 'frame' ? event.frame.device : event.device;
  const before = state[device] ?? emptyStream(options);
  const after = reduceStream(before, event, options);
  return after === state[device] ? state : { ...state, [device]: after };
}
