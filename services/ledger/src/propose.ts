import { blockHash } from "./block/codec.js";
import type { BlockOutcome, TxOutcome } from "./block/execute.js";
import type { Block } from "./block/types.js";
import type { Hasher } from "./crypto/hash.js";

/** A block a proposer built, with its outcome, and what became of each tx it tried. */
export interface BlockProposal {
  block: Block;
  /** The block's outcome on the head it was built over (every tx in it applied). */
  outcome: BlockOutcome;
  /** One outcome per candidate, in candidate order: `code` is null for those in the block. */
  tried: TxOutcome[];
}

/**
 * Builds a block from candidate txs tried in the given order, leaving out every candidate the ledger refuses where
 * it stands, with a single execution: a refused tx changes nothing (each tx is all-or-nothing and reads only the
 * state, the block's height and time), so the block without the refused txs has the trial's diff and receipts,
 * and every tx in it applies. `build` must give the same header for any tx list but for the tx root.
 */
export function leaveOutRefused(
  hasher: Hasher,
  candidates: readonly Uint8Array[],
  build: (txs: Uint8Array[]) => Block,
  execute: (block: Block) => BlockOutcome,
): BlockProposal {
  const trialBlock = build([...candidates]);
  const trial = execute(trialBlock);
  if (trial.txs.every((t) => t.code === null)) return { block: trialBlock, outcome: trial, tried: trial.txs };
  const kept = candidates.filter((_, i) => trial.txs[i]?.code === null);
  const block = build(kept);
  const outcome: BlockOutcome = {
    ...trial,
    hash: blockHash(hasher, block.header),
    txs: trial.txs.filter((t) => t.code === null),
  };
  return { block, outcome, tried: trial.txs };
}
