import type { Auditor } from "./auditor.js";
import { checkProof, type KeyRing } from "./proofs.js";
import { addAnomaly } from "./stats.js";

/**
 * Checks the stored proof of every proved receipt the replay met (`checkProof`); a failed proof is a discrepancy
 * and an anomaly, a missing one an anomaly (and a discrepancy when proofs are required). Clears the pending set.
 */
export async function checkProofs(
  auditor: Auditor,
  ring: KeyRing,
  proofOf: (receipt: string) => string | undefined | Promise<string | undefined>,
  requireProofs: boolean,
): Promise<void> {
  const s = auditor.stats;
  for (const [id, pending] of auditor.pendingProofs) {
    const text = await proofOf(id);
    const at = { height: pending.height, tx: pending.tx, receipt: id };
    if (text === undefined) {
      s.proofs.missing++;
      addAnomaly(s, {
        kind: "proofMissing",
        ...at,
        detail: `no stored proof for a ${pending.queryKind} answer over ${pending.dataset}`,
      });
      if (requireProofs) auditor.fail({ code: "PROOF_MISSING", ...at, reason: "no stored proof" });
      continue;
    }
    const problem = await checkProof(auditor.hasher, ring, pending, text);
    if (problem === null) {
      s.proofs.verified++;
      continue;
    }
    s.proofs.failed++;
    addAnomaly(s, { kind: "proofFailed", ...at, detail: problem });
    auditor.fail({
      code: problem.includes("proofHash") ? "PROOF_HASH" : "PROOF_INVALID",
      ...at,
      reason: problem,
    });
  }
  auditor.pendingProofs.clear();
}
