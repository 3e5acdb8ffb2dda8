import { type ExportSource, storedExportSource } from "@coken/auditor";
import type { Genesis } from "@coken/ledger";
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
  const text = async (path: string, field: string): Promise<string | undefined> => {
    const answer = await requestJson(api, path);
    const value = answer.json[field];
    return answer.status === 200 && typeof value === "string" ? value : undefined;
  };
  return storedExportSource(remoteBlockSource(api), reported, genesis, genesisText, {
    key: (hash) => text(`/v1/zk/keys/${hash}`, "key"),
    proof: (receipt) => text(`/v1/proofs/${receipt}`, "bundle"),
  });
}
