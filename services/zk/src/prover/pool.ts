import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { ZkError } from "../errors.js";
import type { CircuitInput } from "../statements/index.js";
import type { CurveThreads, FromWorker, JobTimings, ToWorker, WorkerInit } from "./messages.js";

export interface ProverPoolInit {
  /**
   * Prover threads. Default: one when each has the curve's per-core threads (a single proof already keeps every
   * core busy, and every further prover thread brings its own curve threads and their memory), else one per core.
   */
  size?: number;
  /** Jobs waiting beyond the running ones before QUEUE_FULL (default 64). */
  queueLimit?: number;
  /** Default per-job limit in ms, from submission (default 60 s). */
  timeoutMs?: number;
  /**
   * Where each prover thread's curve does its work: "per-core" starts the curve's own thread per core inside every
   * prover thread (one job runs on every core), "none" keeps it in the prover thread (one core per job, no
   * further threads). Default "per-core".
   */
  curveThreads?: CurveThreads;
}

export interface PoolJob {
  circuit: string;
  wasm: string;
  zkey: string;
  input: CircuitInput;
}

export interface PoolResult {
  proof: { pi_a: string[]; pi_b: string[][]; pi_c: string[] };
  publicSignals: string[];
  timings: JobTimings;
}

interface Pending {
  id: number;
  job: PoolJob;
  resolve(r: PoolResult): void;
  reject(e: Error): void;
  cleanup(): void;
  slot?: Slot;
}

interface Slot {
  worker: Worker;
  ready: Promise<void>;
  started: boolean;
  /** As the warm thread reported it. */
  curveThreads?: number;
  current?: Pending;
}

/** The pool's counters, for status pages and tests. */
export interface PoolStats {
  workers: number;
  busy: number;
  queued: number;
  respawned: number;
  /** Threads each warm prover thread's curve works on besides it (0: in the prover thread); undefined before. */
  curveThreads?: number;
}

/**
 * A fixed set of long-lived prover threads fed from one bounded queue. A job that times out or is cancelled
 * while running takes its thread down with it (snarkjs cannot be interrupted) and a fresh thread replaces it.
 */
export class ProverPool {
  readonly #slots: Slot[] = [];
  readonly #queue: Pending[] = [];
  readonly #queueLimit: number;
  readonly #timeoutMs: number;
  readonly #workerInit: WorkerInit;
  #nextId = 1;
  #respawned = 0;
  #closed = false;

  constructor(init: ProverPoolInit = {}) {
    const curveThreads = init.curveThreads ?? "per-core";
    const size = init.size ?? (curveThreads === "none" ? availableParallelism() : 1);
    if (!Number.isInteger(size) || size < 1)
      throw new ZkError("BAD_QUERY", "pool size must be a positive integer");
    this.#queueLimit = init.queueLimit ?? 64;
    this.#timeoutMs = init.timeoutMs ?? 60_000;
    this.#workerInit = { curveThreads };
    for (let i = 0; i < size; i++) this.#slots.push(this.#spawn());
  }

  /** Resolves when every thread has loaded snarkjs and its curve. */
  async ready(): Promise<void> {
    await Promise.all(this.#slots.map((s) => s.ready));
  }

  stats(): PoolStats {
    const busy = this.#slots.filter((s) => s.current !== undefined).length;
    const curveThreads = this.#slots.find((s) => s.curveThreads !== undefined)?.curveThreads;
    return {
      workers: this.#slots.length,
      busy,
      queued: this.#queue.length,
      respawned: this.#respawned,
      curveThreads,
    };
  }

  /** Proves one job; rejects with QUEUE_FULL, TIMEOUT, CANCELLED, PROOF_INVALID or ARTIFACT_MISSING. */
  run(job: PoolJob, options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<PoolResult> {
    if (this.#closed) return Promise.reject(new ZkError("CANCELLED", "the prover is closed"));
    if (options.signal?.aborted === true)
      return Promise.reject(new ZkError("CANCELLED", "cancelled before start"));
    const idle = this.#slots.some((s) => s.current === undefined);
    if (!idle && this.#queue.length >= this.#queueLimit) {
      return Promise.reject(
        new ZkError("QUEUE_FULL", "the prover queue is full", { limit: this.#queueLimit }),
      );
    }
    return new Promise<PoolResult>((resolve, reject) => {
      const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
      const pending: Pending = {
        id: this.#nextId++,
        job,
        resolve: (r) => {
          pending.cleanup();
          resolve(r);
        },
        reject: (e) => {
          pending.cleanup();
          reject(e);
        },
        cleanup: () => {
          clearTimeout(timer);
          options.signal?.removeEventListener("abort", onAbort);
        },
      };
      const timer = setTimeout(
        () => this.#abandon(pending, new ZkError("TIMEOUT", `proof took over ${timeoutMs} ms`)),
        timeoutMs,
      );
      const onAbort = (): void => this.#abandon(pending, new ZkError("CANCELLED", "the proof was cancelled"));
      options.signal?.addEventListener("abort", onAbort, { once: true });
      this.#queue.push(pending);
      this.#dispatch();
    });
  }

  /** Stops every thread; queued and running jobs reject with CANCELLED. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const p of this.#queue.splice(0)) p.reject(new ZkError("CANCELLED", "the prover closed"));
    await Promise.all(this.#slots.map((slot) => this.#stop(slot)));
  }

  #spawn(): Slot {
    const worker = new Worker(new URL("./worker.js", import.meta.url), { workerData: this.#workerInit });
    let markReady: () => void = () => {};
    const slot: Slot = { worker, started: false, ready: new Promise<void>((r) => (markReady = r)) };
    worker.on("message", (msg: FromWorker) => {
      if (msg.type === "ready") {
        slot.started = true;
        slot.curveThreads = msg.curveThreads;
        markReady();
        return;
      }
      if (msg.type !== "proved" && msg.type !== "failed") return;
      const current = slot.current;
      if (current === undefined || current.id !== msg.id) return;
      slot.current = undefined;
      if (msg.type === "proved")
        current.resolve({ proof: msg.proof, publicSignals: msg.publicSignals, timings: msg.timings });
      else current.reject(new ZkError(msg.code, msg.message, { circuit: current.job.circuit }));
      this.#dispatch();
    });
    worker.on("error", (err) =>
      this.#replace(slot, new ZkError("PROOF_INVALID", `prover thread failed: ${err.message}`)),
    );
    worker.on("exit", () => {
      markReady();
      if (!this.#closed && this.#slots.includes(slot))
        this.#replace(slot, new ZkError("PROOF_INVALID", "prover thread exited"));
    });
    return slot;
  }

  #dispatch(): void {
    if (this.#closed) return;
    for (const slot of this.#slots) {
      if (slot.current !== undefined) continue;
      const next = this.#queue.shift();
      if (next === undefined) return;
      slot.current = next;
      next.slot = slot;
      const { circuit, wasm, zkey, input } = next.job;
      const msg: ToWorker = { type: "prove", id: next.id, circuit, wasm, zkey, input };
      slot.worker.postMessage(msg);
    }
  }

  /** A job gave up (timeout or abort): drop it from the queue, or kill the thread running it. */
  #abandon(pending: Pending, err: ZkError): void {
    const at = this.#queue.indexOf(pending);
    if (at >= 0) {
      this.#queue.splice(at, 1);
      pending.reject(err);
      return;
    }
    const slot = pending.slot;
    if (slot !== undefined && slot.current === pending) this.#replace(slot, err);
  }

  /** Kills a slot's thread, fails its job, and puts a fresh thread in its place. */
  #replace(slot: Slot, err: ZkError): void {
    const index = this.#slots.indexOf(slot);
    if (index < 0) return;
    const current = slot.current;
    slot.current = undefined;
    current?.reject(err);
    // A thread that never started would only crash again: leave its place empty rather than spin.
    if (this.#closed || !slot.started) return;
    void slot.worker.terminate();
    this.#respawned += 1;
    this.#slots[index] = this.#spawn();
    this.#dispatch();
  }

  async #stop(slot: Slot): Promise<void> {
    const current = slot.current;
    slot.current = undefined;
    current?.reject(new ZkError("CANCELLED", "the prover closed"));
    // Ask the thread to terminate its curve threads first; terminate it regardless after a grace period.
    const closed = new Promise<void>((resolve) => {
      slot.worker.on("message", (m: FromWorker) => m.type === "closed" && resolve());
      slot.worker.once("exit", () => resolve());
    });
    const msg: ToWorker = { type: "close" };
    slot.worker.postMessage(msg);
    await Promise.race([closed, new Promise((r) => setTimeout(r, 2000).unref())]);
    await slot.worker.terminate();
  }
}
