import { applyTxBytes } from "../apply/apply.js";
import type { BlockContext } from "../apply/context.js";
import type { TxError, TxErrorCode } from "../apply/errors.js";
import { bytesEqual } from "../bytes.js";
import { releaseClosed } from "../credits/accrue.js";
import { creditSettlement } from "../credits/settle.js";
import type { Hasher } from "../crypto/hash.js";
import type { Verifier } from "../crypto/signature.js";
import { EncodingError } from "../encoding/errors.js";
import type { EpochState, MisbehaviourRecord } from "../model.js";
import { keys } from "../state/keys.js";
import { activateValidators } from "../state/validator-sets.js";
import { type StateDiff, StateOverlay, type StateReader } from "../state/view.js";
import type { AccessReceipt, SignedTx } from "../tx/types.js";
import { blockHash, evidenceRoot, lastCommitHash, txRoot, validatorsHash } from "./codec.js";
import { type CommitErrorCode, type ValidatorKey, verifyCommit } from "./commit.js";
import { type DuplicateVoteEvidence, decodeEvidence, evidenceProblem } from "./evidence.js";
import { applyFreezeRules, type BlockFacts, type QuotaOverrun } from "./freeze-rules.js";
import type { Block } from "./types.js";

/** The last committed block as the executor needs it. */
export interface ChainHead {
  chain: string;
  height: number;
  hash: Uint8Array;
  time: number;
  /** State root after that block. */
  appHash: Uint8Array;
  /**
   * The validator set in force for that block (the `validators` record of the state before it), with each
   * member's key from that same state: the signers of its certificate. Empty at genesis.
   */
  validators: readonly ValidatorKey[];
}

export type BlockErrorCode =
  | "WRONG_CHAIN"
  | "WRONG_HEIGHT"
  | "WRONG_PREV_HASH"
  | "WRONG_APP_HASH"
  | "WRONG_TX_ROOT"
  | "WRONG_VALIDATORS_HASH"
  | "TIME_NOT_INCREASING"
  | "UNKNOWN_PROPOSER"
  | "WRONG_EVIDENCE_ROOT"
  | "WRONG_LAST_COMMIT_HASH"
  | "INVALID_LAST_COMMIT"
  | "INVALID_EVIDENCE"
  | "DUPLICATE_EVIDENCE";

export class BlockError extends Error {
  override readonly name = "BlockError";
  constructor(
    readonly code: BlockErrorCode,
    message: string,
    /** For INVALID_LAST_COMMIT: why the certificate was refused (null when it is missing or not allowed). */
    readonly commitCode: CommitErrorCode | null = null,
  ) {
    super(message);
  }
}

/**
 * Seam for credit settlement: called at the end of the last block of each epoch, writing into the block's overlay.
 * Must be deterministic. Without one, a block runs `creditSettlement` (docs/spec/credits.md); another is for tests
 * and for an auditor re-deriving the rewards its own way.
 */
export interface EpochSettlement {
  settle(state: StateOverlay, epoch: EpochState, block: BlockContext): void;
}

export interface TxOutcome {
  /** Tx id, or null if the bytes did not decode. */
  id: Uint8Array | null;
  /** Null when applied; otherwise why it was refused. */
  code: TxErrorCode | null;
  tx: SignedTx | null;
}

export interface RecordedReceipt {
  id: Uint8Array;
  txId: Uint8Array;
  /** Position of the receipt in its tx, counting across batches. */
  index: number;
  receipt: AccessReceipt;
}

export interface BlockOutcome {
  height: number;
  hash: Uint8Array;
  time: number;
  diff: StateDiff;
  txs: TxOutcome[];
  receipts: RecordedReceipt[];
}

export interface ExecutionEnv {
  hasher: Hasher;
  verifier: Verifier;
  settlement?: EpochSettlement;
  /** Txs decoded before (a mempool's), by their raw bytes; must return exactly what `decodeTx(raw)` would. */
  knownTx?: (raw: Uint8Array) => SignedTx | undefined;
}

function check(cond: boolean, code: BlockErrorCode, message: string): void {
  if (!cond) throw new BlockError(code, message);
}

/**
 * Checks a block's header against the chain head and the state, and its `lastCommit` against the head's validator
 * set; throws `BlockError`.
 */
export function checkHeader(
  state: StateReader,
  head: ChainHead,
  block: Block,
  h: Hasher,
  verifier: Verifier,
): void {
  const { header } = block;
  check(header.chain === head.chain, "WRONG_CHAIN", `block for chain ${header.chain}`);
  check(
    header.height === head.height + 1,
    "WRONG_HEIGHT",
    `expected height ${head.height + 1}, got ${header.height}`,
  );
  check(
    bytesEqual(header.prevHash, head.hash),
    "WRONG_PREV_HASH",
    "prevHash is not the previous block's hash",
  );
  check(header.time > head.time, "TIME_NOT_INCREASING", "block time must increase");
  check(bytesEqual(header.appHash, head.appHash), "WRONG_APP_HASH", "appHash differs from the state root");
  const validators = state.get(keys.validators)?.validators ?? [];
  check(
    bytesEqual(header.validatorsHash, validatorsHash(h, validators)),
    "WRONG_VALIDATORS_HASH",
    "validatorsHash",
  );
  check(
    validators.some((v) => v.agency === header.proposer),
    "UNKNOWN_PROPOSER",
    `${header.proposer} is no validator`,
  );
  check(bytesEqual(header.txRoot, txRoot(h, block.txs)), "WRONG_TX_ROOT", "txRoot does not match the txs");
  check(
    bytesEqual(header.evidenceRoot, evidenceRoot(h, block.evidence)),
    "WRONG_EVIDENCE_ROOT",
    "evidenceRoot does not match the evidence",
  );
  checkLastCommit(head, block, h, verifier);
}

/** Checks 10 and 11: the header binds `lastCommit`, which certifies the head block (and is null on block 1). */
function checkLastCommit(head: ChainHead, block: Block, h: Hasher, verifier: Verifier): void {
  const { header, lastCommit } = block;
  check(
    bytesEqual(header.lastCommitHash, lastCommitHash(h, lastCommit)),
    "WRONG_LAST_COMMIT_HASH",
    "lastCommitHash does not match lastCommit",
  );
  if (head.height === 0) {
    check(lastCommit === null, "INVALID_LAST_COMMIT", "block 1 carries no lastCommit");
    return;
  }
  if (lastCommit === null)
    throw new BlockError("INVALID_LAST_COMMIT", `no certificate for block ${head.height}`);
  const result = verifyCommit(
    h,
    verifier,
    head.chain,
    lastCommit,
    { height: head.height, blockHash: head.hash },
    head.validators,
  );
  if (!result.ok) {
    throw new BlockError(
      "INVALID_LAST_COMMIT",
      `certificate of block ${head.height}: ${result.reason}`,
      result.reason,
    );
  }
}

/**
 * Checks each evidence item (decodes, signed double vote of a registered agency at an earlier height, not yet
 * recorded, not repeated in the block) and records it; throws `BlockError`.
 */
function recordEvidence(overlay: StateOverlay, block: Block, ctx: BlockContext): MisbehaviourRecord[] {
  const recorded: MisbehaviourRecord[] = [];
  for (const [i, raw] of block.evidence.entries()) {
    let evidence: DuplicateVoteEvidence;
    try {
      evidence = decodeEvidence(raw);
    } catch (e) {
      if (e instanceof EncodingError) throw new BlockError("INVALID_EVIDENCE", `evidence ${i}: ${e.message}`);
      throw e;
    }
    const problem = evidenceProblem(ctx.hasher, ctx.verifier, ctx.chain, evidence, ctx.height, (id) =>
      overlay.get(keys.agency(id)),
    );
    if (problem !== null) throw new BlockError("INVALID_EVIDENCE", `evidence ${i}: ${problem}`);
    const { voteA, voteB } = evidence;
    const key = keys.evidence(voteA.validator, voteA.height, voteA.round, voteA.type);
    check(overlay.get(key) === undefined, "DUPLICATE_EVIDENCE", `evidence ${i} is already recorded`);
    const record: MisbehaviourRecord = {
      validator: voteA.validator,
      height: voteA.height,
      round: voteA.round,
      type: voteA.type,
      blockHashes: [voteA.blockHash, voteB.blockHash],
      recordedAt: ctx.height,
    };
    overlay.set(key, record);
    recorded.push(record);
  }
  return recorded;
}

/** The grant, attempted use and quota of a tx refused with QUOTA_EXCEEDED, from its error detail. */
function overrunOf(error: TxError): QuotaOverrun | null {
  const { grant, used, quota } = error.detail;
  if (error.code !== "QUOTA_EXCEEDED" || typeof grant !== "string") return null;
  if (typeof used !== "number" || typeof quota !== "number") return null;
  return { grant, used, quota };
}

/** Pairs an applied access.record's or access.attest's receipts with the ids its diff recorded (same order). */
function collectReceipts(tx: SignedTx, id: Uint8Array, diff: StateDiff, out: RecordedReceipt[]): void {
  if (tx.body.kind !== "access.record" && tx.body.kind !== "access.attest") return;
  let index = 0;
  for (const batch of tx.body.payload.batches) {
    for (const receipt of batch.receipts) {
      const recorded = diff.receipts[index] as { id: string };
      out.push({ id: new Uint8Array(Buffer.from(recorded.id, "hex")), txId: id, index: index++, receipt });
    }
  }
}

/**
 * Executes a block against committed state without changing it: checks the header, applies each tx in order
 * (each all-or-nothing), runs epoch settlement at an epoch's last block, and returns the block's diff.
 */
export function executeBlock(
  state: StateReader,
  head: ChainHead,
  block: Block,
  env: ExecutionEnv,
): BlockOutcome {
  checkHeader(state, head, block, env.hasher, env.verifier);
  return executeBody(state, block, env);
}

/**
 * What a block does to `state` whatever its header claims: evidence, txs and end-of-block rules (the last of them
 * puts in force the validator set scheduled for the next height), with NO header check (so no certificate check
 * either). For tools that rebuild headers, such as a test forger; a ledger executes blocks with `executeBlock`.
 * Throws `BlockError` only for bad evidence.
 */
export function executeBody(state: StateReader, block: Block, env: ExecutionEnv): BlockOutcome {
  const h = env.hasher;
  const { header } = block;
  const ctx: BlockContext = {
    chain: header.chain,
    height: header.height,
    time: header.time,
    hasher: h,
    verifier: env.verifier,
  };
  const overlay = new StateOverlay(state);
  const evidence = recordEvidence(overlay, block, ctx);
  const overruns: QuotaOverrun[] = [];
  const txs: TxOutcome[] = [];
  const receipts: RecordedReceipt[] = [];
  for (const raw of block.txs) {
    const result = applyTxBytes(overlay, raw, ctx, env.knownTx?.(raw));
    if (result.ok) {
      overlay.absorb(result.diff);
      collectReceipts(result.tx, result.id, result.diff, receipts);
      txs.push({ id: result.id, code: null, tx: result.tx });
    } else {
      txs.push({ id: result.id, code: result.error.code, tx: result.tx });
      const overrun = overrunOf(result.error);
      if (overrun !== null) overruns.push(overrun);
    }
  }
  endBlock(overlay, state, ctx, env.settlement, { evidence, overruns });
  activateValidators(overlay, header.height);
  return {
    height: header.height,
    hash: blockHash(h, header),
    time: header.time,
    diff: overlay.diff(),
    txs,
    receipts,
  };
}

function endBlock(
  overlay: StateOverlay,
  before: StateReader,
  ctx: BlockContext,
  settlement: EpochSettlement | undefined,
  facts: BlockFacts,
): void {
  const params = overlay.get(keys.params);
  const epoch = overlay.get(keys.epoch);
  if (params === undefined || epoch === undefined) return;
  const log = overlay.get(keys.receipts);
  const floor = Math.max(0, ctx.time - params.receiptMaxAgeMs);
  if (log !== undefined && floor > log.floor) overlay.set(keys.receipts, { ...log, floor });
  releaseClosed(overlay, ctx, params);
  applyFreezeRules(overlay, before, ctx, facts);
  if (ctx.height - epoch.startHeight + 1 < params.epochLength) return;
  (settlement ?? creditSettlement).settle(overlay, epoch, ctx);
  overlay.set(keys.epoch, { number: epoch.number + 1, startHeight: ctx.height + 1 });
}
