import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { useTranslation } from "react-i18next";
import { gql } from "../api/client.js";
import { type Submission, TX_STATUS, type TxStatusData } from "../api/documents.js";
import { shortHash } from "../format.js";

/**
 * Follows a transaction this agency signed until a block holds it: "waiting", then "applied at height N" or the
 * ledger's refusal code. When it lands, every cached read is refetched (grants, freezes, balances change).
 */
export function TxProgress({ submission }: { submission: Submission }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const status = useQuery({
    queryKey: ["tx", submission.txId],
    queryFn: () => gql<TxStatusData>(TX_STATUS, { hash: submission.txId }),
    refetchInterval: (q) => (q.state.data?.tx ? false : 750),
  });
  const tx = status.data?.tx ?? null;
  useEffect(() => {
    if (tx !== null) void queryClient.invalidateQueries({ predicate: (q) => q.queryKey[0] !== "tx" });
  }, [tx, queryClient]);
  return (
    <p
      role="status"
      className="notice"
      data-tx-state={tx === null ? "pending" : (tx.resultCode ?? "applied")}
    >
      {tx === null
        ? t("tx.pending", { kind: submission.kind, id: shortHash(submission.txId) })
        : tx.resultCode === null
          ? t("tx.applied", { kind: submission.kind, height: tx.height })
          : t("tx.refused", { kind: submission.kind, code: tx.resultCode, height: tx.height })}
    </p>
  );
}
