import type { ZkErrorCode } from "../errors.js";
import type { CircuitInput } from "../statements/index.js";

/** Where a prover thread's curve runs its multi-exponentiations and FFTs (see `ProverPoolInit.curveThreads`). */
export type CurveThreads = "per-core" | "none";

/** What a prover thread is started with (its `workerData`). */
export interface WorkerInit {
  curveThreads: CurveThreads;
}

/** One proof job sent to a prover worker. */
export interface ProveJob {
  type: "prove";
  id: number;
  circuit: string;
  wasm: string;
  zkey: string;
  input: CircuitInput;
}

export type ToWorker = ProveJob | { type: "close" };

export interface JobTimings {
  /** Witness computation, ms. */
  witnessMs: number;
  /** Groth16 proving, ms. */
  proveMs: number;
}

export type FromWorker =
  | {
      type: "ready";
      /** Threads the curve runs its work on besides this one (0: all in this thread). */
      curveThreads: number;
    }
  | {
      type: "proved";
      id: number;
      proof: { pi_a: string[]; pi_b: string[][]; pi_c: string[] };
      publicSignals: string[];
      timings: JobTimings;
    }
  | { type: "failed"; id: number; code: ZkErrorCode; message: string }
  | { type: "closed" };
