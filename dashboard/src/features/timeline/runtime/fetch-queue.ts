/**
 * At most `limit` requests in flight; the rest wait their turn in order. A fleet of a
 * hundred devices opening at once asks history a few at a time instead of all at once.
 */
export class FetchQueue {
  private readonly limit: number;
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(limit: number) {
    this.limit = limit;
  }

  /** Run `task` when a slot is free; an aborted signal skips a task still waiting. */
  run<T>(task: () => Promise<T>, signal: AbortSignal): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const start = () => {
        if (signal.aborted) {
          this.next();
          reject(new DOMException('aborted before it started', 'AbortError'));
          return;
        }
        this.running += 1;
        task()
          .then(resolve, reject)
          .finally(() => {
            this.running -= 1;
            this.next();
          });
      };
      if (this.running < this.limit) {
        start();
      } else {
        this.waiting.push(start);
      }
    });
  }

  private next(): void {
    if (this.running < this.limit) {
      this.waiting.shift()?.();
    }
  }
}
