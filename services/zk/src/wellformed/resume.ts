import type { Groth16Proof } from "../api.js";
import type { CommittedDataset } from "../commitment/dataset.js";
import { type QuadTree, zeroHash } from "../commitment/quadtree.js";
import type { ArtifactRegistry } from "../registry/artifacts.js";
import { loadPairingCurve, type PairingCurve } from "../setup/snark.js";
import { checkProofEncoding } from "../verifier/bundle.js";
import { type PreparedKey, prepareKey, verifyGroth16 } from "../verifier/groth16.js";
import { type ChunkState, chunkPublicInputs, type IndexSlots } from "./chunks.js";

/**
 * Resuming an evidence proof: chunk proofs kept from an earlier run are taken instead of proving those chunks
 * again, each only after it is checked as a verifier would check it here, against what this chunk must show.
 */

/** One chunk proof of a well-formedness evidence: its public signals (outputs, then inputs) and its proof. */
export interface WellFormedChunk {
  publicSignals: string[];
  proof: Groth16Proof;
}

/** Chunks checked between two yields to the event loop (each check is about 10 ms of one core). */
const CHECKS_PER_SLICE = 4;

/** Root of the aligned block `k` of 4^levels leaves of a tree (empty blocks hash to zeroHash). */
const blockRoot = (tree: QuadTree, levels: number, k: number): bigint =>
  tree.levels[levels]?.at(k) ?? zeroHash(levels);

/**
 * Every public signal chunk `k` of an owner's commitment has, as decimal strings in the circuit's order: the
 * state after it (`after`, from chunkInput), the roots of its block of the row tree and of each index tree, then
 * its public inputs from the state before it. What an honest proof of that chunk shows, no more and no less.
 */
export function chunkSignals(
  dataset: CommittedDataset,
  slots: readonly IndexSlots[],
  rows: number,
  k: number,
  live: number,
  before: ChunkState,
  after: ChunkState,
): string[] {
  const levels = Math.round(Math.log(rows) / Math.log(4));
  const outputs = [
    after.key,
    ...after.value,
    ...after.prefix,
    after.rowProduct,
    after.indexProduct,
    blockRoot(dataset.rows.tree, levels, k),
    ...dataset.indexes.map((ix) => blockRoot(ix.tree, levels, k)),
  ];
  return [...outputs, ...chunkPublicInputs(k, live, dataset.root, slots, before)].map(String);
}

/**
 * Checks kept chunk proofs under the chunk circuit's key (read from the registry, with the curve, at the first
 * check): a kept chunk is taken only when its signals are exactly the expected ones and its proof verifies. A
 * key that cannot be read takes none (they are all proved again).
 */
export function keptChunkChecker(
  artifacts: Pick<ArtifactRegistry, "verificationKey">,
  verifyingKeyHash: string,
): (chunk: WellFormedChunk, expected: readonly string[]) => Promise<boolean> {
  let verifier: Promise<{ curve: PairingCurve; key: PreparedKey } | null> | undefined;
  let checks = 0;
  return async (chunk, expected) => {
    verifier ??= (async () => {
      const vk = await artifacts.verificationKey(verifyingKeyHash);
      if (vk === undefined) return null;
      const curve = await loadPairingCurve();
      return { curve, key: prepareKey(curve, vk) };
    })().catch(() => null);
    const v = await verifier;
    checks += 1;
    if (checks % CHECKS_PER_SLICE === 0) await new Promise((resolve) => setImmediate(resolve));
    if (v === null) return false;
    try {
      const signals = chunk.publicSignals;
      if (!Array.isArray(signals) || signals.length !== expected.length) return false;
      if (signals.some((s, i) => s !== expected[i])) return false;
      checkProofEncoding(chunk.proof);
      return verifyGroth16(v.curve, v.key, signals, chunk.proof);
    } catch {
      return false;
    }
  };
}
