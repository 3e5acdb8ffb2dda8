import {
  type Block,
  BlockError,
  type CborMap,
  type CommitCertificate,
  decodeBlock,
  decodeBlockHeader,
  decodeCbor,
  decodeCommitCertificate,
  EncodingError,
  encodeBlock,
  encodeCbor,
} from "@coken/ledger";
import { type Store, type StoredLedger, storedEvidence } from "@coken/store";
import type { ConsensusDriver, ConsensusNetwork } from "./driver.js";
import type { Logger } from "./log.js";

const MAX_BLOCKS_PER_RESPONSE = 20;
// A response stops adding blocks past this size (but always carries at least one block).
const RESPONSE_SOFT_LIMIT = 4 << 20;

/** The sync frame size that fits a response: the soft limit plus one largest block and its certificate. */
export function syncFrameBytes(maxBlockBytes: number): number {
  return RESPONSE_SOFT_LIMIT + maxBlockBytes + (1 << 20);
}

/**
 * Rebuilds a full block from the store: header bytes, tx bytes, and the previous block's certificate (its row's
 * commit, which is the lastCommit this block binds); with the block's own certificate, without which it is not
 * served.
 */
async function storedBlock(
  store: Store,
  height: number,
): Promise<{ block: Block; commit: Uint8Array } | null> {
  const [stored, prev] = await Promise.all([
    store.ledger.getBlock(height),
    store.ledger.getBlock(height - 1),
  ]);
  if (stored === null || stored.commit === null) return null;
  const block: Block = {
    header: decodeBlockHeader(stored.header),
    txs: stored.txs.map((t) => t.raw),
    evidence: storedEvidence(stored),
    lastCommit: prev?.commit ? decodeCommitCertificate(prev.commit) : null,
  };
  return { block, commit: stored.commit };
}

/** Serves `{from, max}` requests with committed blocks and their commit certificates. */
export function serveBlocks(network: ConsensusNetwork, store: Store): void {
  network.handle(async (bytes) => {
    const req = decodeCbor(bytes) as CborMap;
    const from = req.from;
    const max = req.max;
    if (typeof from !== "number" || typeof max !== "number" || from < 1) throw new Error("bad sync request");
    const out: CborMap[] = [];
    let size = 0;
    for (let h = from; h < from + Math.min(max, MAX_BLOCKS_PER_RESPONSE) && size < RESPONSE_SOFT_LIMIT; h++) {
      const b = await storedBlock(store, h);
      if (b === null) break;
      const block = encodeBlock(b.block);
      size += block.length + b.commit.length;
      out.push({ block, commit: b.commit });
    }
    return encodeCbor({ blocks: out });
  });
}

/**
 * Fetches blocks the network committed above our head, checks each one's commit certificate against the
 * validator set of its height, and commits it. Runs inside the driver's queue so it never races consensus.
 */
export class BlockSync {
  private running = false;

  constructor(
    private readonly network: ConsensusNetwork,
    private readonly chain: StoredLedger,
    private readonly driver: ConsensusDriver,
    private readonly log: Logger,
  ) {}

  /** Called when a peer shows a height above ours; one catch-up at a time. */
  async catchUp(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      let progressed = false;
      for (const peer of this.network.peers()) {
        for (;;) {
          const n = await this.fetchFrom(peer);
          if (n === 0) break;
          progressed = true;
        }
      }
      if (progressed) this.driver.restartAtHead();
    } finally {
      this.running = false;
    }
  }

  private async fetchFrom(peer: Parameters<ConsensusNetwork["request"]>[0]): Promise<number> {
    const from = this.chain.ledger.head.height + 1;
    let reply: Uint8Array;
    try {
      reply = await this.network.request(peer, encodeCbor({ from, max: MAX_BLOCKS_PER_RESPONSE }), {
        timeoutMs: 10_000,
      });
    } catch (e) {
      this.log.debug("sync request failed", { error: (e as Error).message });
      return 0;
    }
    let entries: { block: Block; cert: CommitCertificate }[];
    try {
      const blocks = (decodeCbor(reply) as CborMap).blocks as CborMap[];
      entries = blocks.map((b) => ({
        block: decodeBlock(b.block as Uint8Array),
        cert: decodeCommitCertificate(b.commit as Uint8Array),
      }));
    } catch (e) {
      if (!(e instanceof EncodingError) && !(e instanceof TypeError)) throw e;
      this.network.reportInvalid(peer, "sync-undecodable");
      return 0;
    }
    let applied = 0;
    await this.driver.exclusive(async () => {
      for (const { block, cert } of entries) {
        if (block.header.height !== this.chain.ledger.head.height + 1) break;
        const ledger = this.chain.ledger;
        // Its own certificate against the set in force for it; its lastCommit (the previous block's, bound in
        // its header) is checked when it executes.
        const check = ledger.verifyNextCommit(cert, block);
        if (!check.ok) {
          this.network.reportInvalid(peer, `sync-${check.reason.toLowerCase()}`);
          break;
        }
        try {
          ledger.execute(block);
        } catch (e) {
          if (!(e instanceof BlockError)) throw e;
          this.network.reportInvalid(peer, `sync-${e.code.toLowerCase()}`);
          break;
        }
        await this.driver.commit(block, cert);
        applied++;
      }
    });
    if (applied > 0)
      this.log.info("caught up by block sync", { height: this.chain.ledger.head.height, applied });
    return applied;
  }
}
