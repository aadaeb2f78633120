/**
 * A tiny external store that publishes at most once per animation frame.
 *
 * Network events update the working state as they come; React (through
 * `useSyncExternalStore`) sees a new snapshot only when the scheduled flush runs, so a
 * burst of messages costs one render and one chart update per frame, not one per message.
 */

/** A state container with batched publication. */
export interface BatchedStore<S> {
  /** The newest state, including updates not yet published. */
  readonly getState: () => S;
  /** The state as of the last flush: what the UI renders. */
  readonly getSnapshot: () => S;
  /** Replace the state; publication happens on the next flush. */
  readonly update: (next: (state: S) => S) => void;
  /** Call `listener` after each flush that published a change; returns the unsubscribe. */
  readonly subscribe: (listener: () => void) => () => void;
}

/** Runs a callback before the next paint (`requestAnimationFrame` in the browser). */
export type FrameScheduler = (callback: () => void) => void;

/**
 * Create a store.
 *
 * @param initial The first state.
 * @param schedule When to flush; tests pass a manual scheduler.
 * @param prepare Runs once per flush, before publication: the place for work that
 *   should happen once per frame rather than once per message (e.g. chart columns).
 */
export function createBatchedStore<S>(
  initial: S,
  schedule: FrameScheduler,
  prepare: (state: S) => S = (state) => state,
): BatchedStore<S> {
  let state = initial;
  let published = initial;
  let pending = false;
  const listeners = new Set<() => void>();

  function flush(): void {
    pending = false;
    if (published === state) {
      return;
    }
    state = prepare(state);
    published = state;
    for (const listener of [...listeners]) {
      listener();
    }
  }

  return {
    getState: () => state,
    getSnapshot: () => published,
    update(next) {
      state = next(state);
      if (!pending && state !== published) {
        pending = true;
        schedule(flush);
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
