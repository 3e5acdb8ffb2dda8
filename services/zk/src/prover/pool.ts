import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { ZkError } from "../errors.js";
import type { CircuitInput } from "../statements/index.js";
import type { CurveThreads, FromWorker, JobTimings, ToWorker, WorkerInit } from "./messages.js";

export type { CurveThreads } from "./messages.js";

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
  /**
   * Starts prover threads only when a job needs one and stops each after this many ms without a job, so that
   * everything a thread holds (its isolate, curve and curve threads, WebAssembly memories, parsed keys and witness
   * calculators) goes back to the process; the next job pays the thread's start and its circuit's loading again.
   * Default: every thread starts with the pool and stays until `close()`.
   */
  idleMs?: number;
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
  /** Stops the thread once it has been idle for `idleMs` (on-demand pools only). */
  idleTimer?: NodeJS.Timeout;
}

/** The pool's counters, for status pages and tests. */
export interface PoolStats {
  /** Prover threads running now (starting or warm). */
  workers: number;
  busy: number;
  queued: number;
  respawned: number;
  /** Threads stopped after `idleMs` without a job. */
  idleStopped: number;
  /** Threads each warm prover thread's curve works on besides it (0: in the prover thread); undefined before. */
  curveThreads?: number;
}

/**
 * Up to `size` prover threads fed from one bounded queue: long-lived, or with `idleMs` started on demand and
 * stopped when idle. A job that times out or is cancelled while running takes its thread down with it (snarkjs
 * cannot be interrupted) and a fresh thread replaces it.
 */
export class ProverPool {
  readonly #slots: Slot[] = [];
  readonly #queue: Pending[] = [];
  readonly #size: number;
  readonly #queueLimit: number;
  readonly #timeoutMs: number;
  readonly #idleMs: number | undefined;
  readonly #workerInit: WorkerInit;
  #nextId = 1;
  #respawned = 0;
  #idleStopped = 0;
  #closed = false;

  constructor(init: ProverPoolInit = {}) {
    const curveThreads = init.curveThreads ?? "per-core";
    const size = init.size ?? (curveThreads === "none" ? availableParallelism() : 1);
    if (!Number.isInteger(size) || size < 1)
      throw new ZkError("BAD_QUERY", "pool size must be a positive integer");
    if (init.idleMs !== undefined && !(Number.isInteger(init.idleMs) && init.idleMs > 0))
      throw new ZkError("BAD_QUERY", "idleMs must be a positive integer");
    this.#size = size;
    this.#queueLimit = init.queueLimit ?? 64;
    this.#timeoutMs = init.timeoutMs ?? 60_000;
    this.#idleMs = init.idleMs;
    this.#workerInit = { curveThreads };
    if (this.#idleMs === undefined) this.#fill();
  }

  /** Prover threads the pool runs at most (jobs proved at once). */
  get size(): number {
    return this.#size;
  }

  /** Starts every thread not running yet and resolves when each has loaded snarkjs and its curve. */
  async ready(): Promise<void> {
    this.#fill();
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
      idleStopped: this.#idleStopped,
      curveThreads,
    };
  }

  /** Proves one job; rejects with QUEUE_FULL, TIMEOUT, CANCELLED, PROOF_INVALID or ARTIFACT_MISSING. */
  run(job: PoolJob, options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<PoolResult> {
    if (this.#closed) return Promise.reject(new ZkError("CANCELLED", "the prover is closed"));
    if (options.signal?.aborted === true)
      return Promise.reject(new ZkError("CANCELLED", "cancelled before start"));
    const idle = this.#slots.some((s) => s.current === undefined) || this.#slots.length < this.#size;
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
    await Promise.all(this.#slots.splice(0).map((slot) => this.#stop(slot)));
  }

  #fill(): void {
    while (this.#slots.length < this.#size) this.#slots.push(this.#spawn());
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
        // Idle from here on (a thread still starting is not idle, however long its start takes).
        this.#armIdle(slot);
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
      this.#armIdle(slot);
    });
    worker.on("error", (err) =>
      this.#replace(slot, new ZkError("PROOF_INVALID", `prover thread failed: ${err.message}`)),
    );
    worker.on("exit", () => {
      markReady();
      clearTimeout(slot.idleTimer);
      const at = this.#slots.indexOf(slot);
      if (this.#closed || at < 0) return;
      if (slot.started) {
        this.#replace(slot, new ZkError("PROOF_INVALID", "prover thread exited"));
        return;
      }
      // A thread that died while starting would only die again: drop it rather than respawn in a loop; its job
      // fails, and each later job starts one thread afresh.
      this.#slots.splice(at, 1);
      const current = slot.current;
      slot.current = undefined;
      current?.reject(new ZkError("PROOF_INVALID", "prover thread exited before it was ready"));
      this.#dispatch();
    });
    return slot;
  }

  /** On-demand pools: an idle thread is stopped after `idleMs` unless a job reaches it first. */
  #armIdle(slot: Slot): void {
    if (this.#idleMs === undefined || slot.current !== undefined) return;
    clearTimeout(slot.idleTimer);
    slot.idleTimer = setTimeout(() => {
      const at = this.#slots.indexOf(slot);
      if (this.#closed || at < 0 || slot.current !== undefined) return;
      this.#slots.splice(at, 1);
      this.#idleStopped += 1;
      void this.#stop(slot);
    }, this.#idleMs);
    // An idle prover thread must not keep the process alive.
    slot.idleTimer.unref();
  }

  #dispatch(): void {
    if (this.#closed) return;
    // On demand: a thread for each waiting job, up to the pool's size (always full otherwise).
    const idle = this.#slots.filter((s) => s.current === undefined).length;
    for (let i = idle; i < this.#queue.length && this.#slots.length < this.#size; i++)
      this.#slots.push(this.#spawn());
    for (const slot of this.#slots) {
      if (slot.current !== undefined) continue;
      const next = this.#queue.shift();
      if (next === undefined) return;
      clearTimeout(slot.idleTimer);
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
    // Still starting (a job gave up waiting for it): it serves the next; if it failed, its exit drops it.
    if (this.#closed || !slot.started) return;
    void slot.worker.terminate();
    this.#respawned += 1;
    this.#slots[index] = this.#spawn();
    this.#dispatch();
  }

  async #stop(slot: Slot): Promise<void> {
    clearTimeout(slot.idleTimer);
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
