/** A stand-in for `requestAnimationFrame`: callbacks wait until the test runs the frame. */
export function manualFrames() {
  const queue: (() => void)[] = [];
  return {
    schedule: (callback: () => void): void => {
      queue.push(callback);
    },
    /** Run the callbacks queued so far (those they queue wait for the next call). */
    flush: (): void => {
      for (const callback of queue.splice(0)) {
        callback();
      }
    },
    get pending(): number {
      return queue.length;
    },
  };
}
