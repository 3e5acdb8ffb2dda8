import { readFile } from "node:fs/promises";
import { parentPort, workerData } from "node:worker_threads";
import {
  type Curve,
  loadCurve,
  loadSnarkjs,
  loadWitnessCalculator,
  releaseCurve,
  useThreadlessCurve,
  type WitnessCalculator,
} from "../setup/snark.js";
import { proveGroth16, witnessElements } from "./groth16.js";
import type { FromWorker, ProveJob, ToWorker, WorkerInit } from "./messages.js";
import { enableNestedCurveThreads } from "./nested-threads.js";
import { type ProvingKey, parseProvingKey } from "./proving-key.js";

/**
 * A prover thread: the bn128 curve is loaded once and kept warm; each circuit's witness calculator and parsed
 * proving key are loaded on first use and kept for as long as the thread lives (an on-demand pool stops it when
 * idle, which is how that memory is given back). One job at a time (the pool sends one).
 */
interface Loaded {
  calculator: WitnessCalculator;
  key: ProvingKey;
}

const port = parentPort;
if (port === null) throw new Error("the prover worker runs in a worker thread");
const send = (msg: FromWorker): void => port.postMessage(msg);
const circuits = new Map<string, Promise<Loaded>>();
let curve: Curve;

async function load(job: ProveJob): Promise<Loaded> {
  const key = `${job.circuit}\0${job.zkey}`;
  let loaded = circuits.get(key);
  if (loaded === undefined) {
    loaded = (async () => ({
      calculator: await loadWitnessCalculator(await readFile(job.wasm)),
      key: parseProvingKey(new Uint8Array(await readFile(job.zkey))),
    }))();
    circuits.set(key, loaded);
    loaded.catch(() => circuits.delete(key));
  }
  return loaded;
}

async function prove(job: ProveJob): Promise<void> {
  let stage: "load" | "witness" | "prove" = "load";
  try {
    const { calculator, key } = await load(job);
    stage = "witness";
    const t0 = performance.now();
    const witness = witnessElements(await calculator.calculateWTNSBin(job.input, true), key.nVars);
    const t1 = performance.now();
    stage = "prove";
    const { proof, publicSignals } = await proveGroth16(curve, key, witness);
    const t2 = performance.now();
    send({
      type: "proved",
      id: job.id,
      proof: { pi_a: proof.pi_a, pi_b: proof.pi_b, pi_c: proof.pi_c },
      publicSignals,
      timings: { witnessMs: t1 - t0, proveMs: t2 - t1 },
    });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // A witness that breaks a constraint means the statement does not hold for these rows.
    const code = stage === "load" ? "ARTIFACT_MISSING" : "PROOF_INVALID";
    send({ type: "failed", id: job.id, code, message: `${stage}: ${message.slice(0, 500)}` });
  }
}

async function main(): Promise<void> {
  const init = workerData as WorkerInit;
  enableNestedCurveThreads();
  await loadSnarkjs();
  if (init.curveThreads === "none") await useThreadlessCurve();
  curve = await loadCurve();
  port?.on("message", (msg: ToWorker) => {
    if (msg.type === "prove") void prove(msg);
    else
      void releaseCurve().then(() => {
        send({ type: "closed" });
        port?.close();
      });
  });
  send({ type: "ready", curveThreads: curve.tm.singleThread ? 0 : curve.tm.concurrency });
}

void main();
