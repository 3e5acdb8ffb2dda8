import { blockHash, evidenceRoot, lastCommitHash, txRoot, validatorsHash } from "./block/codec.js";
import { type CommitCheck, type ValidatorKey, validatorKeys, verifyCommit } from "./block/commit.js";
import { type BlockOutcome, type ChainHead, type EpochSettlement, executeBlock } from "./block/execute.js";
import type { Block, CommitCertificate } from "./block/types.js";
import type { Hasher } from "./crypto/hash.js";
import { createHasher } from "./crypto/hash.js";
import type { Signer, Verifier } from "./crypto/signature.js";
import { type Genesis, genesisHash, genesisState } from "./genesis.js";
import { type BlockProposal, leaveOutRefused } from "./propose.js";
import type { CommittedState, EncodedWrite } from "./state/committed.js";
import { keys } from "./state/keys.js";
import { encodeTx } from "./tx/codec.js";
import { signTx } from "./tx/sign.js";
import type { SignedTx, TxBody } from "./tx/types.js";

export interface CommittedBlock {
  outcome: BlockOutcome;
  /** Encoded state writes of the block, for the store. */
  writes: EncodedWrite[];
  /** State root after the block. */
  appHash: Uint8Array;
}

/**
 * The replicated application: committed state plus the chain head, advanced one block at a time
 * (`execute` is pure, `commit` makes its outcome the new state). Peers and auditors replay through it.
 */
export class Ledger {
  readonly hasher: Hasher;
  private currentHead: ChainHead;
  /**
   * Outcomes of blocks executed on the current head, by block object: a validator executes a proposal to
   * prevote on it and would otherwise execute the same block again to commit it. Cleared on every commit.
   */
  private executed = new WeakMap<Block, BlockOutcome>();
  private knownTx: ((raw: Uint8Array) => SignedTx | undefined) | undefined;

  private constructor(
    readonly state: CommittedState,
    head: ChainHead,
    private readonly verifier: Verifier,
    private readonly settlement?: EpochSettlement,
  ) {
    this.hasher = state.hasher;
    this.currentHead = head;
  }

  static fromGenesis(genesis: Genesis, verifier: Verifier, settlement?: EpochSettlement): Ledger {
    const state = genesisState(genesis);
    const hasher = createHasher(genesis.hashAlgorithm);
    const head: ChainHead = {
      chain: genesis.chainId,
      height: 0,
      hash: genesisHash(hasher, genesis),
      time: genesis.genesisTime,
      appHash: state.appHash(),
      validators: [],
    };
    return new Ledger(state, head, verifier, settlement);
  }

  /**
   * Resumes from stored state and the head it belongs to (the store checks they match); `head.validators` is the set
   * that decided the head block, which the state after it no longer shows if that block changed the set.
   */
  static resume(
    state: CommittedState,
    head: ChainHead,
    verifier: Verifier,
    settlement?: EpochSettlement,
  ): Ledger {
    return new Ledger(state, head, verifier, settlement);
  }

  /**
   * Lets block execution skip decoding txs decoded before (by a mempool that checked them on arrival). The
   * lookup must return exactly what decoding `raw` gives, e.g. by keying on a digest of the bytes.
   */
  useKnownTxs(lookup: (raw: Uint8Array) => SignedTx | undefined): void {
    this.knownTx = lookup;
  }

  get head(): ChainHead {
    return this.currentHead;
  }

  /** Executes a block without changing anything; throws `BlockError` if its header does not fit. */
  execute(block: Block): BlockOutcome {
    const cached = this.executed.get(block);
    if (cached !== undefined) return cached;
    const outcome = this.run(block);
    this.executed.set(block, outcome);
    return outcome;
  }

  private run(block: Block): BlockOutcome {
    return executeBlock(this.state, this.currentHead, block, {
      hasher: this.hasher,
      verifier: this.verifier,
      ...(this.settlement ? { settlement: this.settlement } : {}),
      ...(this.knownTx ? { knownTx: this.knownTx } : {}),
    });
  }

  /**
   * Builds the next block from candidate txs tried in the given order, leaving out each one refused where it
   * stands (`leaveOutRefused`): every tx in the block applies. Executes once and keeps the outcome for commit;
   * throws `BlockError` if the header or the evidence does not fit.
   */
  proposeBlock(
    opts: Omit<Parameters<Ledger["buildBlock"]>[0], "txs"> & { candidates: readonly Uint8Array[] },
  ): BlockProposal {
    const proposal = leaveOutRefused(
      this.hasher,
      opts.candidates,
      (txs) => this.buildBlock({ ...opts, txs }),
      (block) => this.run(block),
    );
    this.executed.set(proposal.block, proposal.outcome);
    return proposal;
  }

  /** Makes an executed block's outcome the committed state. The outcome must come from `execute` on this head. */
  commit(outcome: BlockOutcome): CommittedBlock {
    if (outcome.height !== this.currentHead.height + 1)
      throw new RangeError("outcome is not for the next height");
    this.executed = new WeakMap();
    // The set in force for this block, read before its writes: its certificate (in the next block) is checked
    // against it.
    const validators = validatorKeys(this.state);
    const writes = this.state.commit(outcome.diff);
    const log = this.state.get(keys.receipts);
    if (log) this.state.pruneReceipts(log.floor);
    const appHash = this.state.appHash();
    this.currentHead = {
      chain: this.currentHead.chain,
      height: outcome.height,
      hash: outcome.hash,
      time: outcome.time,
      appHash,
      validators,
    };
    return { outcome, writes, appHash };
  }

  /** Executes and commits. */
  apply(block: Block): CommittedBlock {
    return this.commit(this.execute(block));
  }

  /** The validator set in force for the next block, with keys: who must sign its certificate. */
  nextValidators(): ValidatorKey[] {
    return validatorKeys(this.state);
  }

  /** Checks a certificate of the next block (before it is committed) against the set in force for it. */
  verifyNextCommit(certificate: CommitCertificate, block: Block): CommitCheck {
    return verifyCommit(
      this.hasher,
      this.verifier,
      this.currentHead.chain,
      certificate,
      { height: this.currentHead.height + 1, blockHash: blockHash(this.hasher, block.header) },
      this.nextValidators(),
    );
  }

  /** Checks a certificate of the head block (its seen commit) against the set that decided it. */
  verifyHeadCommit(certificate: CommitCertificate): CommitCheck {
    return verifyCommit(
      this.hasher,
      this.verifier,
      this.currentHead.chain,
      certificate,
      { height: this.currentHead.height, blockHash: this.currentHead.hash },
      this.currentHead.validators,
    );
  }

  /** Builds the next block over the current head (as a proposer does). */
  buildBlock(opts: {
    txs: Uint8Array[];
    evidence?: Uint8Array[];
    time: number;
    proposer: string;
    lastCommit: CommitCertificate | null;
  }): Block {
    const h = this.hasher;
    const validators = this.state.get(keys.validators)?.validators ?? [];
    const header = {
      chain: this.currentHead.chain,
      height: this.currentHead.height + 1,
      time: opts.time,
      prevHash: this.currentHead.hash,
      proposer: opts.proposer,
      txRoot: txRoot(h, opts.txs),
      evidenceRoot: evidenceRoot(h, opts.evidence ?? []),
      appHash: this.currentHead.appHash,
      validatorsHash: validatorsHash(h, validators),
      lastCommitHash: lastCommitHash(h, opts.lastCommit),
    };
    return { header, txs: opts.txs, evidence: opts.evidence ?? [], lastCommit: opts.lastCommit };
  }

  /** Signs and encodes a tx body for this chain's hash function. */
  signTx(signer: Signer, body: TxBody): Uint8Array {
    return encodeTx(signTx(this.hasher, signer, body));
  }

  blockHash(block: Block): Uint8Array {
    return blockHash(this.hasher, block.header);
  }
}
