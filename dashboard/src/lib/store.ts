/**
 * The two halves of a feature's published state: an external store of immutable
 * snapshots for `useSyncExternalStore`, and a frame batch that runs a feature's draw at
 * most once per animation frame.
 *
 * A feature runtime keeps its working state (reducer states, buffers) to itself. Events
 * change that state as they come and request a frame; in the frame the runtime derives
 * the snapshot the UI renders (chart columns, within its redraw limits) and publishes
 * it. A burst of messages costs one derivation and one render per frame, not one per
 * message, and the store only ever receives a new snapshot.
 */

/** What a component reads: the current snapshot and change notification. */
export interface Store<S> {
  /** The snapshot as last published: what the UI renders. */
  readonly getSnapshot: () => S;
  /** Call `listener` after each publication of a new snapshot; returns the unsubscribe. */
  readonly subscribe: (listener: () => void) => () => void;
}

/** The owner's side of a {@link Store}. */
export interface StoreWriter<S> extends Store<S> {
  /** Publish `next`; listeners run only when it is a different object from the current snapshot. */
  readonly publish: (next: S) => void;
}

/** Create a store holding `initial`. */
export function createStore<S>(initial: S): StoreWriter<S> {
  let snapshot = initial;
  const listeners = new Set<() => void>();
  return {
    getSnapshot: () => snapshot,
    publish(next) {
      if (next === snapshot) {
        return;
      }
      snapshot = next;
      for (const listener of [...listeners]) {
        listener();
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}

/** Runs a callback before the next paint (`requestAnimationFrame` in the browser). */
export type FrameScheduler = (callback: () => void) => void;

/**
 * A scheduler that runs every callback given to it before the next frame in one
 * callback of `schedule`: the features' runtimes then publish together, and the page
 * renders once per frame, not once per feature.
 */
export function sharedFrames(schedule: FrameScheduler): FrameScheduler {
  let waiting: (() => void)[] = [];
  return (callback) => {
    waiting.push(callback);
    if (waiting.length === 1) {
      schedule(() => {
        const due = waiting;
        waiting = [];
        for (const run of due) {
          run();
        }
      });
    }
  };
}

/** One call of `run` per animation frame, however often it was requested in between. */
export class FrameBatch {
  private readonly schedule: FrameScheduler;
  private readonly run: () => void;
  private pending = false;
  /** Bumped by {@link cancel}: a frame scheduled before it does nothing. */
  private generation = 0;

  constructor(schedule: FrameScheduler, run: () => void) {
    this.schedule = schedule;
    this.run = run;
  }

  /** Run in the next frame (once, whatever else requests it before then). */
  request(): void {
    if (this.pending) {
      return;
    }
    this.pending = true;
    const generation = this.generation;
    this.schedule(() => {
      if (generation === this.generation) {
        this.pending = false;
        this.run();
      }
    });
  }

  /** Forget a requested frame (the runtime stopped). */
  cancel(): void {
    this.generation += 1;
    this.pending = false;
  }
}
