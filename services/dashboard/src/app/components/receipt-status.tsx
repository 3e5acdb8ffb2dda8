import { useTranslation } from "react-i18next";
import type { ReceiptProof, ReceiptRecording } from "../api/documents.js";
import { Badge } from "./status.js";

const RECORDING_TONE = { ACKNOWLEDGED: "ok", ATTESTED: "warn", DISPUTED: "bad" } as const;
const PROOF_TONE = { VERIFIED: "ok", UNCONFIRMED: "warn", NOT_PROVED: "info" } as const;

/** How a receipt stands on the ledger (co-signed, recorded by the provider alone, disputed) and at which height. */
export function RecordingBadge({
  receipt,
}: {
  receipt: { recording: ReceiptRecording; height: number; disputeReason: string | null };
}) {
  const { t } = useTranslation();
  return (
    <span data-recording={receipt.recording}>
      <Badge tone={RECORDING_TONE[receipt.recording]}>{t(`log.recordingState.${receipt.recording}`)}</Badge>{" "}
      {t("log.atHeight", { height: receipt.height })}
      {receipt.disputeReason !== null && <> · {t("log.disputeReason", { reason: receipt.disputeReason })}</>}
    </span>
  );
}

/** Whether the answer was proved, and whether its requester confirmed that the proof verified. */
export function ProofBadge({ proof }: { proof: ReceiptProof }) {
  const { t } = useTranslation();
  return (
    <span data-proof={proof}>
      <Badge tone={PROOF_TONE[proof]}>{t(`log.proofState.${proof}`)}</Badge>
    </span>
  );
}
