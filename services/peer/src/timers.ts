/** Schedules callbacks on the clock the driver's `now` reads. */
export interface Timers {
  /** Runs `f` once, `ms` from now; the returned function cancels it if it has not run yet. */
  after(ms: number, f: () => void): () => void;
}

/** The host's timers (`setTimeout`), which a peer uses with `Date.now`. */
export const hostTimers: Timers = {
  after(ms, f) {
    const t = setTimeout(f, ms);
    return () => clearTimeout(t);
  },
};
