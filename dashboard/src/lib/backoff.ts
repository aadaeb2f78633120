/**
 * Capped exponential backoff with jitter, as a pure function of the attempt number.
 *
 * "Equal jitter": half of the capped exponential delay is fixed, the other half random,
 * so clients that lost the server together do not come back together, and no retry
 * fires immediately.
 */

/** Shape of the backoff curve. */
export interface BackoffPolicy {
  /** Delay before the first retry, before jitter, in ms. */
  readonly baseMs: number;
  /** Largest delay, before jitter, in ms. */
  readonly maxMs: number;
  /** Growth per attempt. */
  readonly factor: number;
}

/** Reconnect policy of the live socket: 0.5 s, 1 s, 2 s, ... up to 30 s. */
export const RECONNECT_BACKOFF: BackoffPolicy = { baseMs: 500, maxMs: 30_000, factor: 2 };

/**
 * Delay before retry number `attempt`.
 *
 * @param attempt 0 for the first retry after a failure, 1 for the second, ...
 * @param policy The curve.
 * @param random A number in [0, 1), e.g. `Math.random()`.
 * @returns A delay in `[capped / 2, capped]` ms, `capped = min(maxMs, baseMs * factor ** attempt)`.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: number): number {
  const capped = Math.min(policy.maxMs, policy.baseMs * policy.factor ** Math.max(0, attempt));
  const half = capped / 2;
  return Math.round(half + half * Math.min(Math.max(random, 0), 1));
}

/**
 * One pending retry at a time: `schedule` replaces a pending one, `cancel` drops it.
 *
 * @param random Source of jitter in [0, 1), e.g. `Math.random`.
 * @param policy The curve (default {@link RECONNECT_BACKOFF}).
 */
export class RetryTimer {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly random: () => number;
  private readonly policy: BackoffPolicy;

  constructor(random: () => number, policy: BackoffPolicy = RECONNECT_BACKOFF) {
    this.random = random;
    this.policy = policy;
  }

  /** Run `run(attempt + 1)` after the backoff delay of retry number `attempt`. */
  schedule(attempt: number, run: (next: number) => void): void {
    this.cancel();
    const delay = backoffDelay(attempt, this.policy, this.random());
    this.timer = setTimeout(() => {
      this.timer = null;
      run(attempt + 1);
    }, delay);
  }

  /** Drop the pending retry, if any. */
  cancel(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }
}
