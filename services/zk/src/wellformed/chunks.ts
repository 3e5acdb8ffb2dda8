import { ORDER_HIGH, ORDER_LOW } from "../commitment/encode.js";
import { FIELD_ORDER } from "../commitment/field.js";
import { poseidon } from "../commitment/poseidon.js";
import type { RowLeaf } from "../commitment/rows.js";
import type { IndexLeaf } from "../commitment/sorted-index.js";
import { ZkError } from "../errors.js";
import { type CircuitInput, dec } from "../statements/inputs.js";

/**
 * The well-formedness proof of a commitment is split into chunks of `rows` consecutive leaf positions (a power
 * of 4), one Groth16 proof each, whose public states chain in position order (circuits/wellformed.circom,
 * docs/spec/zk.md §9). This file is the part both sides share: the chunk plan, the challenges, the chain state
 * and the chunk's public inputs; the owner adds the private leaves.
 */

/** One index of the commitment as the chunks see it: the slots of its field and of its sum field. */
export interface IndexSlots {
  fieldSlot: number;
  /** Slot of the sum field, or null for an index without sums. */
  sumSlot: number | null;
}

/** The chain state between chunks: what the next live leaf must continue. */
export interface ChunkState {
  /** Key the next row leaf must have (the last nextKey). */
  key: bigint;
  /** Per index, the value the next leaf must have (the last next value). */
  value: bigint[];
  /** Per index, the last prefix sum. */
  prefix: bigint[];
  rowProduct: bigint;
  indexProduct: bigint;
}

/** State before position 0: the sentinels' keys and values are 0, nothing summed, empty products. */
export function initialState(indexes: number): ChunkState {
  return {
    key: ORDER_LOW,
    value: new Array<bigint>(indexes).fill(ORDER_LOW),
    prefix: new Array<bigint>(indexes).fill(0n),
    rowProduct: 1n,
    indexProduct: 1n,
  };
}

/** Whether a final state closes the chains: last nextKey and next values at ORDER_HIGH, equal products. */
export function closes(state: ChunkState): boolean {
  return (
    state.key === ORDER_HIGH &&
    state.value.every((v) => v === ORDER_HIGH) &&
    state.rowProduct === state.indexProduct
  );
}

/** Chunks covering positions 0..rowCount, and how many live positions each has. */
export function chunkPlan(rowCount: number, rows: number): { chunks: number; live(chunk: number): number } {
  const positions = rowCount + 1;
  return {
    chunks: Math.ceil(positions / rows),
    live: (c) => Math.max(0, Math.min(rows, positions - c * rows)),
  };
}

/**
 * Challenges of the permutation argument, derived from the commitment root: the trees are fixed before β and γ
 * are known, so an owner cannot pick index contents to fit them (Fiat–Shamir over Poseidon).
 */
export function challenges(root: bigint): { beta: bigint; gamma: bigint } {
  if (lastChallenges?.root !== root)
    lastChallenges = { root, beta: poseidon([root, 1n]), gamma: poseidon([root, 2n]) };
  return { beta: lastChallenges.beta, gamma: lastChallenges.gamma };
}

/** The challenges of the last root asked for: every chunk of one commitment asks for the same. */
let lastChallenges: { root: bigint; beta: bigint; gamma: bigint } | undefined;

/** The public inputs of chunk `c`, in the circuit's input order (after the outputs). */
export function chunkPublicInputs(
  c: number,
  live: number,
  root: bigint,
  indexes: readonly IndexSlots[],
  state: ChunkState,
): bigint[] {
  const { beta, gamma } = challenges(root);
  return [
    c === 0 ? 1n : 0n,
    BigInt(live),
    beta,
    gamma,
    ...indexes.map((ix) => BigInt(ix.fieldSlot)),
    ...indexes.map((ix) => BigInt(ix.sumSlot ?? 0)),
    ...indexes.map((ix) => (ix.sumSlot === null ? 0n : 1n)),
    state.key,
    ...state.value,
    ...state.prefix,
    state.rowProduct,
    state.indexProduct,
  ];
}

/** The leaves a chunk proof rehashes: the owner's side, read from its trees (or, in tests, made up). */
export interface CommitmentLeaves {
  fieldCount: number;
  indexes: readonly IndexSlots[];
  /** Row leaf at a live position. */
  row(position: number): RowLeaf;
  /** Leaf of index j at a live position. */
  index(j: number, position: number): IndexLeaf;
}

const mod = (x: bigint): bigint => ((x % FIELD_ORDER) + FIELD_ORDER) % FIELD_ORDER;

/**
 * Witness input of chunk `c` and the state after it, computed as the circuit does for an honest commitment.
 * The circuit checks every relation; this only lays the leaves out (a malformed commitment yields an input
 * whose constraints fail).
 */
export function chunkInput(
  leaves: CommitmentLeaves,
  rows: number,
  c: number,
  live: number,
  root: bigint,
  state: ChunkState,
): { input: CircuitInput; next: ChunkState } {
  if (live < 1 || live > rows) throw new ZkError("CAPACITY", `chunk ${c} has no live position`);
  const m = leaves.fieldCount;
  const nIx = leaves.indexes.length;
  const { beta, gamma } = challenges(root);
  const next: ChunkState = {
    key: state.key,
    value: [...state.value],
    prefix: [...state.prefix],
    rowProduct: state.rowProduct,
    indexProduct: state.indexProduct,
  };
  const zeros = (k: number): bigint[] => new Array<bigint>(k).fill(0n);
  const rowsIn = {
    live: [] as bigint[],
    keys: [] as bigint[],
    nextKeys: [] as bigint[],
    values: [] as bigint[][],
  };
  const ixIn = {
    value: [] as bigint[][],
    next: [] as bigint[][],
    prefix: [] as bigint[][],
    summand: [] as bigint[][],
  };
  for (let i = 0; i < rows; i++) {
    const position = c * rows + i;
    const isLive = i < live;
    const isRow = isLive && position > 0;
    const leaf = isLive ? leaves.row(position) : { key: 0n, nextKey: 0n, values: zeros(m) };
    rowsIn.live.push(isLive ? 1n : 0n);
    rowsIn.keys.push(leaf.key);
    rowsIn.nextKeys.push(leaf.nextKey);
    rowsIn.values.push(leaf.values);
    if (isLive) next.key = leaf.nextKey;
    const value: bigint[] = [];
    const nextValue: bigint[] = [];
    const prefix: bigint[] = [];
    const summand: bigint[] = [];
    leaves.indexes.forEach((ix, j) => {
      const il = isLive ? leaves.index(j, position) : { value: 0n, next: 0n, prefix: 0n };
      const s = isRow ? mod(il.prefix - (next.prefix[j] ?? 0n)) : 0n;
      value.push(il.value);
      nextValue.push(il.next);
      prefix.push(il.prefix);
      summand.push(s);
      if (!isLive) return;
      next.value[j] = il.next;
      next.prefix[j] = il.prefix;
      if (!isRow) return;
      const field = (leaf.values[ix.fieldSlot] ?? 0n) + 1n;
      const sum = ix.sumSlot === null ? 0n : (leaf.values[ix.sumSlot] ?? 0n);
      const tag = mod(gamma * gamma * BigInt(j));
      next.rowProduct = mod(next.rowProduct * (beta - mod(field + gamma * sum + tag)));
      next.indexProduct = mod(next.indexProduct * (beta - mod(il.value + gamma * s + tag)));
    });
    ixIn.value.push(value);
    ixIn.next.push(nextValue);
    ixIn.prefix.push(prefix);
    ixIn.summand.push(summand);
  }
  const pub = chunkPublicInputs(c, live, root, leaves.indexes, state).map(String);
  const at = (from: number, k: number): string[] => pub.slice(from, from + k);
  const input: CircuitInput = {
    first: pub[0] as string,
    present: pub[1] as string,
    beta: pub[2] as string,
    gamma: pub[3] as string,
    fieldSlot: at(4, nIx),
    sumSlot: at(4 + nIx, nIx),
    useSum: at(4 + 2 * nIx, nIx),
    inKey: pub[4 + 3 * nIx] as string,
    inValue: at(5 + 3 * nIx, nIx),
    inPrefix: at(5 + 4 * nIx, nIx),
    inRowProduct: pub[5 + 5 * nIx] as string,
    inIndexProduct: pub[6 + 5 * nIx] as string,
    live: dec(rowsIn.live),
    keys: dec(rowsIn.keys),
    nextKeys: dec(rowsIn.nextKeys),
    values: rowsIn.values.map(dec),
    indexValue: ixIn.value.map(dec),
    indexNext: ixIn.next.map(dec),
    indexPrefix: ixIn.prefix.map(dec),
    summand: ixIn.summand.map(dec),
  };
  return { input, next };
}

/** Number of outputs of a chunk proof with `indexes` indexes (they come first among its public signals). */
export const chunkOutputCount = (indexes: number): number => 4 + 3 * indexes;

/** Reads the outputs of a chunk proof: the state after it and the chunk's subtree roots. */
export function chunkOutputs(
  signals: readonly bigint[],
  indexes: number,
): { state: ChunkState; rowBlock: bigint; indexBlocks: bigint[] } {
  const at = (i: number): bigint => signals[i] ?? 0n;
  const range = (from: number): bigint[] => Array.from({ length: indexes }, (_, j) => at(from + j));
  return {
    state: {
      key: at(0),
      value: range(1),
      prefix: range(1 + indexes),
      rowProduct: at(1 + 2 * indexes),
      indexProduct: at(2 + 2 * indexes),
    },
    rowBlock: at(3 + 2 * indexes),
    indexBlocks: range(4 + 2 * indexes),
  };
}
