import {
  type Block,
  bytesEqual,
  type CommitCertificate,
  createHasher,
  decodeTx,
  EncodingError,
  encodeCommitCertificate,
  type Genesis,
  receiptId,
  toHex,
  utf8,
} from "@coken/ledger";
import { noProofHash } from "../audit/proofs.js";
import { blockBytes, encodeBlockBody, encodeEndBody, encodeProofBody } from "./bodies.js";
import { type ArchiveSink, ArchiveWriter } from "./writer.js";

/** One block as the exporter's source gives it. */
export interface ExportBlock {
  block: Block;
  appHash: Uint8Array;
  results: (string | null)[];
}

export interface ExportSource {
  genesis: Genesis;
  /** The genesis file's text, archived as is. */
  genesisText: string;
  blocks: AsyncIterable<ExportBlock>;
  /** The newest exported block's own certificate (its seen commit), when the source has it. */
  seenCommit(height: number): Promise<CommitCertificate | null>;
  /** Canonical JSON text of the verification key with this hash (hex), when the source has it. */
  key(hash: string): Promise<string | undefined>;
  /** The proof bundle text kept for this receipt (hex id), when the source has it. */
  proof(receipt: string): Promise<string | undefined>;
}

export interface ExportSummary {
  height: number;
  blocks: number;
  proofs: number;
  keys: number;
  /** Proved receipts whose proof the source did not have. */
  missingProofs: number;
  digest: string;
}

/** Key hashes of the commitments a tx publishes (dataset.publish, dataset.commit). */
function committedKeys(tx: ReturnType<typeof decodeTx>, out: Set<string>): void {
  const body = tx.body;
  const commitment =
    body.kind === "dataset.publish" || body.kind === "dataset.commit" ? body.payload.commitment : null;
  for (const k of commitment?.verifyingKeys ?? []) out.add(toHex(k.hash));
}

/**
 * Writes an archive (docs/spec/archive.md): genesis, every block with its claimed app hash and tx results, the
 * newest block's seen commit, the verification keys any commitment listed, the proofs of the proved receipts of
 * applied txs; then the end frame. Returns what it wrote and the archive's digest.
 */
export async function exportArchive(source: ExportSource, sink: ArchiveSink): Promise<ExportSummary> {
  const h = createHasher(source.genesis.hashAlgorithm);
  const none = noProofHash(h);
  const writer = new ArchiveWriter(source.genesis, sink);
  await writer.append("genesis", utf8.encode(source.genesisText));
  const proved: string[] = [];
  const keyHashes = new Set<string>();
  let height = 0;
  for await (const b of source.blocks) {
    await writer.append(
      "block",
      encodeBlockBody({ raw: blockBytes(b.block), appHash: b.appHash, results: b.results }),
    );
    height = b.block.header.height;
    b.block.txs.forEach((raw, i) => {
      if (b.results[i] !== null) return;
      let tx: ReturnType<typeof decodeTx>;
      try {
        tx = decodeTx(raw);
      } catch (e) {
        if (e instanceof EncodingError) return;
        throw e;
      }
      committedKeys(tx, keyHashes);
      if (tx.body.kind !== "access.record" && tx.body.kind !== "access.attest") return;
      for (const batch of tx.body.payload.batches)
        for (const r of batch.receipts)
          if (!bytesEqual(r.proofHash, none)) proved.push(toHex(receiptId(h, r)));
    });
  }
  const blocks = height;
  const seen = height > 0 ? await source.seenCommit(height) : null;
  if (seen !== null) await writer.append("seen", encodeCommitCertificate(seen));
  let keys = 0;
  for (const hash of [...keyHashes].sort()) {
    const text = await source.key(hash);
    if (text === undefined) continue;
    await writer.append("key", utf8.encode(text));
    keys++;
  }
  let proofs = 0;
  let missingProofs = 0;
  for (const id of [...new Set(proved)].sort()) {
    const bundle = await source.proof(id);
    if (bundle === undefined) {
      missingProofs++;
      continue;
    }
    await writer.append(
      "proof",
      encodeProofBody({ receipt: Uint8Array.from(Buffer.from(id, "hex")), bundle }),
    );
    proofs++;
  }
  await writer.append("end", encodeEndBody({ height, frames: writer.frames }));
  return { height, blocks, proofs, keys, missingProofs, digest: toHex(writer.digest) };
}
