import { type BootOptions, bootValidator, type Incarnation, InProcHub, shutdown } from "./inproc.js";
import { VirtualClock } from "./virtual-clock.js";

/** Virtual milliseconds a gossiped message takes from its sender to each other node. */
const LATENCY_MS = 2;
/** Event loop turns `settle` waits for store calls and block sync requests to finish before it gives up. */
const MAX_SETTLE_TURNS = 100_000;

/**
 * Validators of one in-process network run as a deterministic simulation. A virtual clock holds every timer (each
 * driver's timeouts, commit delay and re-gossip) and every gossip delivery; the simulation runs them one at a time,
 * each only once every node has finished reacting to the one before (`settle`). So one node at most is busy at a
 * time, and what happens, in which order, is a function of the schedule alone: not of the host's clock, nor of how
 * long a store write takes.
 */
export class Simulation {
  readonly clock: VirtualClock;
  readonly hub: InProcHub;
  /** Every incarnation booted, crashed ones included. */
  readonly lives: Incarnation[] = [];

  constructor(start: number, latencyMs = LATENCY_MS) {
    this.clock = new VirtualClock(start);
    this.hub = new InProcHub({ deliver: (send) => this.clock.after(latencyMs, send) });
  }

  /** Boots a validator on this network and clock, and lets its start (WAL replay, first input) settle. */
  async boot(o: Omit<BootOptions, "hub" | "clock">): Promise<Incarnation> {
    const node = await bootValidator({
      ...o,
      hub: this.hub,
      clock: { now: this.clock.now, timers: this.clock },
    });
    this.lives.push(node);
    await this.settle();
    return node;
  }

  /**
   * Waits until no node has work left: no store call and no block sync request in flight once the event loop has
   * turned (the microtasks that would start another have run by then).
   */
  async settle(): Promise<void> {
    for (let turn = 0; turn < MAX_SETTLE_TURNS; turn++) {
      await new Promise((resolve) => setImmediate(resolve));
      if (this.hub.requestsInFlight === 0 && this.lives.every((n) => !n.crashable.busy)) return;
    }
    throw new Error(`the nodes did not settle within ${MAX_SETTLE_TURNS} event loop turns`);
  }

  /**
   * Runs scheduled timers and deliveries one at a time, settling after each, until `done()` holds. Fails if the
   * virtual clock passes `boundMs` from now first, or if nothing is scheduled any more.
   */
  async runUntil(what: string, done: () => boolean, describe: () => string, boundMs: number): Promise<void> {
    const end = this.clock.now() + boundMs;
    await this.settle();
    while (!done()) {
      if (this.clock.now() > end) throw new Error(`no ${what} within ${boundMs} virtual ms: ${describe()}`);
      if (!this.clock.runNext()) throw new Error(`nothing scheduled, yet no ${what}: ${describe()}`);
      await this.settle();
    }
  }

  /** Stops every node for good; what is still scheduled never runs. */
  async close(): Promise<void> {
    await Promise.all(this.lives.map(shutdown));
    this.hub.close();
  }
}
