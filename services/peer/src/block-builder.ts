import type { Identity, SignedProposal } from "@coken/consensus";
import {
  type Block,
  BlockError,
  type BlockErrorCode,
  type CommitCertificate,
  type DuplicateVoteEvidence,
  keys,
} from "@coken/ledger";
import type { StoredLedger } from "@coken/store";
import { BlockSizer, executionTargetMs } from "./block-sizing.js";
import type { Logger } from "./log.js";
import type { Mempool } from "./mempool.js";

const MAX_PENDING_EVIDENCE = 1024;
const MAX_EVIDENCE_PER_BLOCK = 16;
const EVIDENCE_ERRORS = new Set<BlockErrorCode>(["INVALID_EVIDENCE", "DUPLICATE_EVIDENCE"]);

/** The driver's block bounds (`DriverOptions`). */
export interface BlockLimits {
  maxBlockTxs: number;
  maxBlockBytes: number;
  /** Share (percent) of the round-0 propose timeout a block may take to execute; absent or 0: no time bound. */
  blockExecutionPercent?: number;
  timeouts: { proposeMs: number };
}

/** What the builder uses of the driver's components (`DriverComponents`). */
export interface BlockBuilderComponents {
  chain: StoredLedger;
  mempool: Mempool;
  log: Logger;
  identity: Identity | null;
}

/**
 * The block content side of consensus: keeps verified double-vote evidence until a block carries it, builds this
 * node's block (evidence and mempool txs within the byte budget), and executes proposed blocks, timing them so that
 * the `BlockSizer` learns how many bytes a block may hold.
 */
export class BlockBuilder {
  // Verified double-vote evidence waiting for a block, by validator/height/round/type.
  private readonly pendingEvidence = new Map<string, { raw: Uint8Array; evidence: DuplicateVoteEvidence }>();
  private readonly sizer: BlockSizer;
  /** The certificate of the head block (this node's seen commit), which the next block carries as its lastCommit. */
  lastCommit: CommitCertificate | null = null;

  constructor(
    private readonly c: BlockBuilderComponents,
    private readonly limits: BlockLimits,
    private readonly counters: { invalidProposals: number },
  ) {
    this.sizer = new BlockSizer(
      executionTargetMs(limits.timeouts.proposeMs, limits.blockExecutionPercent ?? 0),
    );
  }

  /** The byte budget of this node's next proposal (maxBlockBytes until execution times say otherwise). */
  get budget(): number {
    return this.sizer.budget(this.limits.maxBlockBytes);
  }

  /**
   * Keeps checked evidence (from this node's votes or from gossip) for a block this node will propose: one item per
   * (validator, height, round, type), since the ledger records no more.
   */
  addEvidence(raw: Uint8Array, evidence: DuplicateVoteEvidence): void {
    const { validator, height, round, type } = evidence.voteA;
    const id = `${validator}/${height}/${round}/${type}`;
    if (this.pendingEvidence.size < MAX_PENDING_EVIDENCE && !this.pendingEvidence.has(id)) {
      this.pendingEvidence.set(id, { raw, evidence });
    }
  }

  /** Evidence not yet on the ledger, for heights already decided. */
  private evidenceForBlock(): Uint8Array[] {
    const state = this.c.chain.ledger.state;
    const out: Uint8Array[] = [];
    for (const [id, { raw, evidence }] of this.pendingEvidence) {
      const { validator, height, round, type } = evidence.voteA;
      if (state.get(keys.evidence(validator, height, round, type)) !== undefined)
        this.pendingEvidence.delete(id);
      else if (height <= this.c.chain.ledger.head.height && out.length < MAX_EVIDENCE_PER_BLOCK)
        out.push(raw);
    }
    return out;
  }

  /**
   * The block to propose, executed once as it is built (its outcome is kept for commit): txs the ledger would
   * refuse where the mempool's order puts them are left out and stay pending (§9, §12). Evidence the ledger refuses
   * is dropped; a block the ledger refuses anyway is not proposed (the round's propose timeout moves on).
   */
  buildBlock(now: number): Block | null {
    const ledger = this.c.chain.ledger;
    const draft = {
      time: Math.max(now, ledger.head.time + 1),
      proposer: this.c.identity?.agency ?? "",
      lastCommit: this.lastCommit,
    };
    const attempt = (evidence: Uint8Array[]): Block | BlockError => {
      try {
        return this.c.mempool.propose(this.budget, this.limits.maxBlockTxs, (candidates) =>
          this.sizer.time(candidates, () => ledger.proposeBlock({ ...draft, evidence, candidates })),
        );
      } catch (e) {
        if (e instanceof BlockError) return e;
        throw e;
      }
    };
    const evidence = this.evidenceForBlock();
    let block = attempt(evidence);
    if (block instanceof BlockError && evidence.length > 0 && EVIDENCE_ERRORS.has(block.code)) {
      this.c.log.warn("pending evidence refused by the ledger; proposing without it", { code: block.code });
      this.pendingEvidence.clear();
      block = attempt([]);
    }
    if (!(block instanceof BlockError)) return block;
    this.c.log.error("own block refused by the ledger; not proposing", {
      code: block.code,
      error: block.message,
    });
    return null;
  }

  /**
   * valid(v): the proposed block is of the next height and executes on the current head (header, tx root, proposer,
   * time). A block the ledger refuses is counted in `invalidProposals`.
   */
  valid(proposal: SignedProposal): boolean {
    if (proposal.height !== this.c.chain.ledger.head.height + 1) return false;
    // This node's own block was executed as it was built (the ledger keeps that outcome): no time to learn from.
    const execute = () => this.c.chain.ledger.execute(proposal.block);
    try {
      if (proposal.proposer === this.c.identity?.agency) execute();
      else this.sizer.time(proposal.block.txs, execute);
      return true;
    } catch (e) {
      if (!(e instanceof BlockError)) throw e;
      this.counters.invalidProposals++;
      return false;
    }
  }
}
