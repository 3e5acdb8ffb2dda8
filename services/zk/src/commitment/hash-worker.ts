import { parentPort } from "node:worker_threads";
import { poseidonWords } from "./poseidon-wasm.js";

/** Worker thread of the parallel commitment build: hashes batches given as 64-bit words. */
interface HashRequest {
  id: number;
  arity: number;
  words: BigUint64Array;
}

parentPort?.on("message", (req: HashRequest) => {
  const out = new BigUint64Array((req.words.length / req.arity / 4) * 4);
  poseidonWords(req.arity, req.words, out);
  parentPort?.postMessage({ id: req.id, words: out }, [out.buffer]);
});
