import type { AgencyId, DatasetId, TxBody, VerifyingKeyRef } from "@coken/ledger";
import type { CommitmentData } from "../commitment/dataset.js";

/**
 * The unsigned `dataset.commit` transaction body that puts a commitment and the ceremony's verifying-key hashes
 * in force; the owner signs it (`signTx`) and submits it to its peer (`POST /v1/txs`).
 */
export function datasetCommitBody(init: {
  chain: string;
  sender: AgencyId;
  seq: number;
  dataset: DatasetId;
  commitment: CommitmentData;
  verifyingKeys: VerifyingKeyRef[];
}): TxBody<"dataset.commit"> {
  return {
    chain: init.chain,
    kind: "dataset.commit",
    sender: init.sender,
    seq: init.seq,
    payload: { dataset: init.dataset, commitment: { ...init.commitment, verifyingKeys: init.verifyingKeys } },
  };
}
