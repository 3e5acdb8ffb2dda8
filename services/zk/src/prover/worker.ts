import { readFile } from "node:fs/promises";
import { parentPort, workerData } from "node:worker_threads";
import {
  loadCurve,
  loadSnarkjs,
  loadWitnessCalculator,
  releaseCurve,
  type Snarkjs,
  useThreadlessCurve,
  type WitnessCalculator,
} from "../setup/snark.js";
import type { FromWorker, ProveJob, ToWorker, WorkerInit } from "./messages.js";
import { enableNestedCurveThreads } from "./nested-threads.js";

/**
 * A long-lived prover thread: snarkjs and the bn128 curve are loaded once and kept warm; each circuit's witness
 * calculator and proving key are loaded on first use and kept. One job at a time (the pool sends one).
 */
interface Loaded {
  calculator: WitnessCalculator;
  zkey: Uint8Array;
}

const port = parentPort;
if (port === null) throw new Error("the prover worker runs in a worker thread");
const send = (msg: FromWorker): void => port.postMessage(msg);
const circuits = new Map<string, Promise<Loaded>>();
let snarkjs: Snarkjs;

async function load(job: ProveJob): Promise<Loaded> {
  const key = `${job.circuit}\0${job.zkey}`;
  let loaded = circuits.get(key);
  if (loaded === undefined) {
    loaded = (async () => ({
      calculator: await loadWitnessCalculator(await readFile(job.wasm)),
      zkey: new Uint8Array(await readFile(job.zkey)),
    }))();
    circuits.set(key, loaded);
    loaded.catch(() => circuits.delete(key));
  }
  return loaded;
}

async function prove(job: ProveJob): Promise<void> {
  let stage: "load" | "witness" | "prove" = "load";
  try {
    const { calculator, zkey } = await load(job);
    stage = "witness";
    const t0 = performance.now();
    const witness = await calculator.calculateWTNSBin(job.input, true);
    const t1 = performance.now();
    stage = "prove";
    const { proof, publicSignals } = await snarkjs.groth16.prove(
      { type: "mem", data: zkey },
      { type: "mem", data: witness },
    );
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
  snarkjs = await loadSnarkjs();
  if (init.curveThreads === "none") await useThreadlessCurve();
  const curve = await loadCurve();
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
