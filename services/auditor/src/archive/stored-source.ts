import {
  type CommitCertificate,
  decodeBlockHeader,
  decodeCommitCertificate,
  EncodingError,
  type Genesis,
} from "@coken/ledger";
import { type BlockSource, storedEvidence } from "@coken/store";
import type { ExportBlock, ExportSource } from "./export.js";

/** Where an exporter finds what a peer keeps for auditors besides its blocks (docs/spec/archive.md §4). */
export interface KeptForAudit {
  /** Canonical JSON text of the verification key with this hash (hex); undefined when not kept. */
  key(hash: string): Promise<string | undefined>;
  /** The proof bundle text kept for this receipt (hex id); undefined when not kept. */
  proof(receipt: string): Promise<string | undefined>;
}

/** Blocks per read: the largest page a peer's operator API serves. */
const PAGE = 100;

/**
 * What an exporter reads from a chain as a peer stores it — its own store (`storeBlockSource`) or another peer's
 * operator API: blocks 1..`height` (the chain keeps growing; the export stops at the height fixed when asked), the
 * newest one's seen commit and what `kept` has. Nothing read is trusted: the audit checks it.
 */
export function storedExportSource(
  source: BlockSource,
  height: number,
  genesis: Genesis,
  genesisText: string,
  kept: KeptForAudit,
): ExportSource {
  let seen: CommitCertificate | null = null;
  async function* blocks(): AsyncGenerator<ExportBlock> {
    let prevCommit = (await source.genesisBlock())?.commit ?? null;
    let next = 1;
    while (next <= height) {
      const page = await source.blocks(next, Math.min(PAGE, height - next + 1));
      if (page.length === 0) return;
      for (const stored of page) {
        if (stored.height !== next || stored.height > height) return;
        const lastCommit = prevCommit === null ? null : decodeCommitCertificate(prevCommit);
        yield {
          block: {
            header: decodeBlockHeader(stored.header),
            txs: stored.txs.map((t) => t.raw),
            evidence: storedEvidence(stored),
            lastCommit,
          },
          appHash: stored.resultAppHash,
          results: stored.txs.map((t) => t.resultCode),
        };
        prevCommit = stored.commit;
        try {
          seen = stored.commit === null ? null : decodeCommitCertificate(stored.commit);
        } catch (e) {
          if (!(e instanceof EncodingError)) throw e;
          seen = null;
        }
        next++;
      }
    }
  }
  return {
    genesis,
    genesisText,
    blocks: blocks(),
    seenCommit: async () => seen,
    key: kept.key,
    proof: kept.proof,
  };
}
