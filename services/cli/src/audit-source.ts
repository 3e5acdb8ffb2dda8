import type { ExportBlock, ExportSource } from "@coken/auditor";
import {
  type CommitCertificate,
  decodeBlockHeader,
  decodeCommitCertificate,
  EncodingError,
  type Genesis,
} from "@coken/ledger";
import { storedEvidence } from "@coken/store";
import { errorOf, requestJson } from "./remote-api.js";
import { remoteBlockSource } from "./remote-verify.js";

/**
 * What a live peer's operator API gives an exporter: its blocks (`/v1/chain/blocks`) up to the height it reported
 * when asked, the newest one's seen commit, and the proofs and verification keys it keeps (`/v1/proofs/<receipt>`,
 * `/v1/zk/keys/<hash>`; a 404 means the peer does not have it). Nothing it sends is trusted: the audit checks it.
 */
export async function apiExportSource(
  api: string,
  genesis: Genesis,
  genesisText: string,
): Promise<ExportSource> {
  const status = await requestJson(api, "/v1/status");
  const reported = status.json.height;
  if (status.status !== 200 || typeof reported !== "number")
    throw new Error(
      `${api}/v1/status answered ${status.status} (${errorOf(status.json)?.code ?? "no height"})`,
    );
  const height: number = reported;
  const source = remoteBlockSource(api);
  let seen: CommitCertificate | null = null;
  async function* blocks(): AsyncGenerator<ExportBlock> {
    let prevCommit = (await source.genesisBlock())?.commit ?? null;
    let next = 1;
    while (next <= height) {
      const page = await source.blocks(next, Math.min(100, height - next + 1));
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
  const text = async (path: string, field: string): Promise<string | undefined> => {
    const answer = await requestJson(api, path);
    const value = answer.json[field];
    return answer.status === 200 && typeof value === "string" ? value : undefined;
  };
  return {
    genesis,
    genesisText,
    blocks: blocks(),
    seenCommit: async () => seen,
    key: (hash) => text(`/v1/zk/keys/${hash}`, "key"),
    proof: (receipt) => text(`/v1/proofs/${receipt}`, "bundle"),
  };
}
