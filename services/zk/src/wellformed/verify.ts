import type { DatasetCommitment, FieldSpec } from "@coken/ledger";
import type { WellFormedCommitment } from "../api.js";
import { parseCircuitId } from "../circuits.js";
import { type HashSteps, hashBatch, runSteps, runStepsYielding } from "../commitment/batch.js";
import {
  checkSchema,
  INDEXES_DEPTH,
  SCHEME_VERSION,
  schemaDigest,
  schemeDepth,
} from "../commitment/dataset.js";
import { bytes32ToField, parseFieldElement } from "../commitment/field.js";
import { poseidon } from "../commitment/poseidon.js";
import { buildQuadTree, zeroHash } from "../commitment/quadtree.js";
import { indexEntryHash } from "../commitment/sorted-index.js";
import { ZkError } from "../errors.js";
import { loadPairingCurve, type PairingCurve, type VerificationKeyJson } from "../setup/snark.js";
import { checkProofEncoding } from "../verifier/bundle.js";
import { prepareKey, verifyGroth16, verifyGroth16Batch } from "../verifier/groth16.js";
import {
  type ChunkState,
  chunkOutputCount,
  chunkOutputs,
  chunkPlan,
  chunkPublicInputs,
  closes,
  type IndexSlots,
} from "./chunks.js";
import type { WellFormedEvidence } from "./evidence.js";

export interface WellFormedKeys {
  verificationKey(hashHex: string): Promise<VerificationKeyJson | undefined>;
  /** The circuit id the key with this hash belongs to; undefined when unknown. */
  circuitOf(hashHex: string): string | undefined;
}

export interface VerifyWellFormedOptions {
  /** Called after each chunk proof is checked (a few ms each on one core). */
  onChunk?: (done: number, total: number) => void;
  /** Chunk proofs checked together in one batch, between two yields to the event loop (default 16). */
  sliceChunks?: number;
}

/**
 * Chunk proofs checked in one batch between two yields to the event loop (about 60 ms): a peer stays responsive
 * while it verifies for minutes.
 */
const CHUNKS_PER_SLICE = 16;

const refuse = (why: string, details?: Record<string, unknown>): never => {
  throw new ZkError("NOT_WELL_FORMED", `well-formedness evidence refused: ${why}`, details);
};

/** Hashes per batch of the stepped tree builds (about 25 ms in this thread). */
const HASHES_PER_BATCH = 256;

/** The steps of topFromBlocks: batches of at most HASHES_PER_BATCH node hashes. */
function* topSteps(depth: number, blockLevels: number, blocks: readonly bigint[]): HashSteps<bigint[]> {
  const height = depth / 2;
  let level: readonly bigint[] = blocks;
  for (let l = blockLevels; l < height - 1; l++) {
    const z = zeroHash(l);
    const inputs: bigint[] = new Array(4 * Math.ceil(level.length / 4));
    for (let i = 0; i < inputs.length; i++) inputs[i] = level[i] ?? z;
    const up: bigint[] = [];
    for (let i = 0; i < inputs.length; i += 4 * HASHES_PER_BATCH)
      up.push(...(yield* hashBatch(4, inputs.slice(i, i + 4 * HASHES_PER_BATCH))));
    level = up;
  }
  const z = zeroHash(height - 1);
  return [0, 1, 2, 3].map((j) => level[j] ?? z);
}

/** The four children of a tree's top node from the roots of its aligned blocks of 4^blockLevels leaves. */
export function topFromBlocks(depth: number, blockLevels: number, blocks: readonly bigint[]): bigint[] {
  return runSteps(topSteps(depth, blockLevels, blocks));
}

/**
 * Checks an owner's well-formedness evidence against the commitment in force on the ledger and the dataset's
 * published fields: the index layout fits the ledger's indexed fields, one proof per chunk of positions
 * 0..rowCount under a known key of the chunk circuit named, chained from the initial state to a closing one,
 * and the trees the chunks hashed, joined with the layout's index entries and meta(rowCount, schema), give the
 * ledger's root. Returns what an asker needs to bind answers to rowCount and the schema. Throws ZkError
 * NOT_WELL_FORMED (or KEY_UNKNOWN, COMMITMENT_MISMATCH).
 */
export async function verifyWellFormed(
  evidence: WellFormedEvidence,
  commitment: DatasetCommitment,
  fields: readonly FieldSpec[],
  keys: WellFormedKeys,
  curve?: PairingCurve,
  options: VerifyWellFormedOptions = {},
): Promise<WellFormedCommitment> {
  const depth = schemeDepth(commitment.scheme);
  const root = bytes32ToField(commitment.root, "commitment root");
  const n = commitment.rowCount;
  if (!Number.isSafeInteger(n) || n < 0 || n >= 2 ** depth) refuse("rowCount does not fit the tree");
  if (!Array.isArray(evidence.indexes) || !Array.isArray(evidence.chunks)) refuse("malformed evidence");
  const layout = evidence.indexes.map((ix) => (ix.sum === undefined ? { field: ix.field } : { ...ix }));
  try {
    checkSchema(fields, layout);
  } catch (err) {
    refuse(`index layout: ${(err as Error).message}`);
  }
  const listed = [...new Set(layout.map((ix) => ix.field))];
  if (
    listed.length !== commitment.indexedFields.length ||
    listed.some((f, i) => f !== commitment.indexedFields[i])
  )
    refuse("the index layout does not match the ledger's indexed fields");
  const slots: IndexSlots[] = layout.map((ix) => ({
    fieldSlot: fields.findIndex((f) => f.name === ix.field),
    sumSlot: ix.sum === undefined ? null : fields.findIndex((f) => f.name === ix.sum),
  }));

  const { def, params } = parseCircuitId(evidence.circuit);
  const rows = params.rows ?? 0;
  if (def.name !== "wellformed" || params.fields !== fields.length || params.indexes !== layout.length)
    refuse("the chunk circuit is not the one for this layout", { circuit: evidence.circuit });
  if (4 * rows > 2 ** depth) refuse("chunks larger than a quarter of the tree");
  if (keys.circuitOf(evidence.verifyingKeyHash) !== evidence.circuit)
    throw new ZkError("KEY_UNKNOWN", "the evidence's key is not a known key of its circuit", {
      circuit: evidence.circuit,
    });
  const vk = await keys.verificationKey(evidence.verifyingKeyHash);
  if (vk === undefined) throw new ZkError("KEY_UNKNOWN", "verification key not available");
  const pairing = curve ?? (await loadPairingCurve());
  const key = prepareKey(pairing, vk);

  const plan = chunkPlan(n, rows);
  if (evidence.chunks.length !== plan.chunks) refuse("wrong number of chunks", { chunks: plan.chunks });
  const outputs = chunkOutputCount(layout.length);
  let state: ChunkState = {
    key: 0n,
    value: layout.map(() => 0n),
    prefix: layout.map(() => 0n),
    rowProduct: 1n,
    indexProduct: 1n,
  };
  const rowBlocks: bigint[] = [];
  const indexBlocks: bigint[][] = layout.map(() => []);
  // First the cheap checks of every chunk (encodings, signals, the chain of states), then the pairings: evidence
  // that does not chain or close is refused before any proof is checked.
  for (const [k, chunk] of evidence.chunks.entries()) {
    checkProofEncoding(chunk.proof);
    const signals = chunk.publicSignals.map((s, i) => parseFieldElement(s, `chunk ${k} signal ${i}`));
    const inputs = chunkPublicInputs(k, plan.live(k), root, slots, state);
    if (signals.length !== outputs + inputs.length || inputs.some((x, i) => signals[outputs + i] !== x))
      refuse("a chunk does not continue the chain", { chunk: k });
    const out = chunkOutputs(signals, layout.length);
    state = out.state;
    rowBlocks.push(out.rowBlock);
    for (const [j, b] of out.indexBlocks.entries()) indexBlocks[j]?.push(b);
    if ((k + 1) % (4 * CHUNKS_PER_SLICE) === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  if (!closes(state)) refuse("the chains do not close at rowCount (or the indexes are not the rows)");

  const digest = schemaDigest(depth, fields, layout);
  const proven = await runStepsYielding(
    provenRootSteps({ depth, rows, rowCount: n, schemaDigest: digest, slots, rowBlocks, indexBlocks }),
  );
  if (proven !== root)
    throw new ZkError("NOT_WELL_FORMED", "the proven trees do not give the ledger's root", { rowCount: n });
  // The proofs, a slice at a time in one batch check; a slice that fails is checked proof by proof to name the chunk.
  const slice = Math.max(1, options.sliceChunks ?? CHUNKS_PER_SLICE);
  for (let start = 0; start < evidence.chunks.length; start += slice) {
    const part = evidence.chunks.slice(start, start + slice);
    if (!verifyGroth16Batch(pairing, key, part)) {
      for (const [i, chunk] of part.entries())
        if (!verifyGroth16(pairing, key, chunk.publicSignals, chunk.proof))
          refuse("a chunk proof does not verify", { chunk: start + i });
      refuse("the chunk proofs do not verify together", { chunk: start });
    }
    for (let i = 0; i < part.length; i++) options.onChunk?.(start + i + 1, plan.chunks);
    await new Promise((resolve) => setImmediate(resolve));
  }
  return {
    root: Uint8Array.from(commitment.root),
    rowCount: n,
    depth,
    indexes: layout,
    schemaDigest: digest,
  };
}

/** What the chunk proofs' block roots and the layout commit to: the root the verifier compares with the ledger's. */
export function provenRoot(p: ProvenRootParts): bigint {
  return runSteps(provenRootSteps(p));
}

interface ProvenRootParts {
  depth: number;
  rows: number;
  rowCount: number;
  schemaDigest: bigint;
  slots: readonly IndexSlots[];
  rowBlocks: readonly bigint[];
  indexBlocks: readonly (readonly bigint[])[];
}

function* provenRootSteps(p: ProvenRootParts): HashSteps<bigint> {
  const blockLevels = Math.round(Math.log(p.rows) / Math.log(4));
  const rowTop = yield* topSteps(p.depth, blockLevels, p.rowBlocks);
  const entries: bigint[] = [];
  for (const [j, s] of p.slots.entries()) {
    const top = yield* topSteps(p.depth, blockLevels, p.indexBlocks[j] ?? []);
    entries.push(indexEntryHash(s.fieldSlot + 1, s.sumSlot === null ? 0 : s.sumSlot + 1, top));
  }
  const indexesTop = buildQuadTree(INDEXES_DEPTH, entries).top;
  const meta = poseidon([BigInt(SCHEME_VERSION), BigInt(p.depth), BigInt(p.rowCount), p.schemaDigest]);
  return poseidon([...rowTop, ...indexesTop, meta]);
}
