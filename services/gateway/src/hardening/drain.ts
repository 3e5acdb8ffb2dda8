/**
 * Counts requests in flight so a shutdown can wait for them: `drained(deadlineMs)` resolves true once none are
 * left, or false when the deadline passes first.
 */
export interface InFlight {
  readonly count: number;
  enter(): void;
  leave(): void;
  drained(deadlineMs: number): Promise<boolean>;
}

/** Creates an in-flight counter. */
export function createInFlight(): InFlight {
  let count = 0;
  let waiters: (() => void)[] = [];
  return {
    get count() {
      return count;
    },
    enter() {
      count++;
    },
    leave() {
      count--;
      if (count === 0) {
        const ready = waiters;
        waiters = [];
        for (const w of ready) w();
      }
    },
    drained(deadlineMs) {
      if (count === 0) return Promise.resolve(true);
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), deadlineMs);
        waiters.push(() => {
          clearTimeout(timer);
          resolve(true);
        });
      });
    },
  };
}
