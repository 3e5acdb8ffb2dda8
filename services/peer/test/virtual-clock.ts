import type { Timers } from "../src/timers.js";

interface Scheduled {
  at: number;
  seq: number;
  run: () => void;
}

/**
 * A clock that moves only when told to: `now` and timers for a simulation. Scheduled callbacks run one per
 * `runNext()`, in order of time and, at one time, in the order they were scheduled; nothing depends on the host's
 * clock or on how long the work between them takes.
 */
export class VirtualClock implements Timers {
  private time: number;
  private seq = 0;
  /** Sorted by (at, seq). */
  private readonly queue: Scheduled[] = [];

  constructor(start: number) {
    this.time = start;
  }

  readonly now = (): number => this.time;

  after(ms: number, f: () => void): () => void {
    const event: Scheduled = { at: this.time + Math.max(0, ms), seq: this.seq++, run: f };
    // The new event has the highest seq, so it goes after every event at or before its time.
    let lo = 0;
    let hi = this.queue.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.queue[mid] as Scheduled).at <= event.at) lo = mid + 1;
      else hi = mid;
    }
    this.queue.splice(lo, 0, event);
    return () => {
      const i = this.queue.indexOf(event);
      if (i >= 0) this.queue.splice(i, 1);
    };
  }

  /** Callbacks waiting to run. */
  get pending(): number {
    return this.queue.length;
  }

  /** Moves the clock to the earliest scheduled callback and runs it; false if nothing is scheduled. */
  runNext(): boolean {
    const event = this.queue.shift();
    if (event === undefined) return false;
    this.time = event.at;
    event.run();
    return true;
  }
}
