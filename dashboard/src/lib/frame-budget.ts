/**
 * Chart work spread over animation frames: queued jobs run in the next frame until a
 * time budget is spent, the rest in the frames after. Seven charts redrawing together
 * then cost a few short frames on a slow machine instead of one long one, and a chart
 * queued twice runs once, with its newest job.
 */

/** Runs a callback before the next paint, and a clock in ms. */
export interface FrameHost {
  readonly requestFrame: (callback: () => void) => void;
  readonly now: () => number;
}

/** A queue of keyed jobs drained frame by frame. */
export class FrameBudget {
  private readonly host: FrameHost;
  private readonly budgetMs: number;
  private readonly jobs = new Map<object, () => void>();
  private scheduled = false;

  constructor(host: FrameHost, budgetMs: number) {
    this.host = host;
    this.budgetMs = budgetMs;
  }

  /** Run `job` soon; a job queued earlier under the same key is replaced. */
  schedule(key: object, job: () => void): void {
    this.jobs.delete(key); // re-inserted at the end: the oldest waiting job runs first
    this.jobs.set(key, job);
    if (!this.scheduled) {
      this.scheduled = true;
      this.host.requestFrame(() => {
        this.drain();
      });
    }
  }

  /** Forget the job of `key` (its chart is gone). */
  cancel(key: object): void {
    this.jobs.delete(key);
  }

  private drain(): void {
    this.scheduled = false;
    const start = this.host.now();
    for (const [key, job] of this.jobs) {
      this.jobs.delete(key);
      job();
      if (this.host.now() - start >= this.budgetMs) {
        break; // at least one job per frame, so the queue always moves
      }
    }
    if (this.jobs.size > 0) {
      this.scheduled = true;
      this.host.requestFrame(() => {
        this.drain();
      });
    }
  }
}
