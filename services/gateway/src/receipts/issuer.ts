import { type AccessReceipt, type Grant, type Hasher, receiptId } from "@coken/ledger";
import type { GatewayRepository, IssuedReceiptInput, NonceRecord } from "@coken/store";
import { GatewayError } from "../errors.js";
import { coalesce } from "./coalesce.js";
import { encodeIssued, type RequestEvidence } from "./codec.js";

/**
 * How far an answer's receipt (with its request's nonce) is committed before the answer leaves: to disk, or to the
 * database without waiting for its log flush (a database-host crash may then lose the last moments of receipts and
 * nonces; a peer crash loses nothing). docs/spec/gateway.md §6.
 */
export type ReceiptCommit = "flush" | "async";

/**
 * Provider side: issues access receipts and counts, per grant, those not yet on the ledger, so that quota is
 * judged on `grant.used` (committed) plus what this provider already answered. A slot is reserved synchronously
 * before the answer is computed, so concurrent calls cannot overrun the quota together.
 */
export class ReceiptIssuer {
  private readonly outstanding = new Map<string, number>();
  private readonly write: (entry: { receipt: IssuedReceiptInput; nonce?: NonceRecord }) => Promise<void>;

  private constructor(
    private readonly hasher: Hasher,
    repo: Pick<GatewayRepository, "addIssuedReceipts" | "outstandingByGrant">,
    commit: ReceiptCommit,
  ) {
    const options = { flush: commit === "flush" };
    this.write = coalesce((entries) => repo.addIssuedReceipts(entries, options));
  }

  /**
   * Loads the counts of receipts issued before a restart and not yet committed. `commit` says whether an answer
   * waits for its receipt to reach the disk ("flush", the default) or only the database ("async").
   */
  static async open(
    hasher: Hasher,
    repo: Pick<GatewayRepository, "addIssuedReceipts" | "outstandingByGrant">,
    commit: ReceiptCommit = "flush",
  ): Promise<ReceiptIssuer> {
    const issuer = new ReceiptIssuer(hasher, repo, commit);
    for (const { grantId, count } of await repo.outstandingByGrant()) issuer.outstanding.set(grantId, count);
    return issuer;
  }

  /** Receipts under `grantId` answered but not yet committed. */
  pending(grantId: string): number {
    return this.outstanding.get(grantId) ?? 0;
  }

  /**
   * Takes one quota slot of `grant` or refuses with QUOTA_EXCEEDED; `release` gives it back if the call fails
   * before it is answered. An answered call's slot is never given back: it is released only when the receipt is
   * on the ledger, where it counts in `grant.used`.
   */
  reserve(grant: Grant): void {
    const pending = this.pending(grant.id);
    if (grant.used + pending >= grant.quota)
      throw new GatewayError("QUOTA_EXCEEDED", "the grant's quota is used up");
    this.outstanding.set(grant.id, pending + 1);
  }

  release(grantId: string, count = 1): void {
    const left = this.pending(grantId) - count;
    if (left > 0) this.outstanding.set(grantId, left);
    else this.outstanding.delete(grantId);
  }

  /**
   * Persists the receipt of an answered call (before the answer leaves) with the evidence of its signed request,
   * a proved answer's proof bundle (the text its `proofHash` covers, kept for auditors) in the same row, and its
   * request's nonce in the same transaction when given; returns its id.
   */
  async issue(
    receipt: AccessReceipt,
    request: RequestEvidence,
    nonceExpiresMs?: number,
    proof?: string,
  ): Promise<Uint8Array> {
    const id = receiptId(this.hasher, receipt);
    const row: IssuedReceiptInput = {
      id,
      requester: receipt.requester,
      grantId: receipt.grant,
      timeMs: receipt.time,
      receipt: encodeIssued({ receipt, request }),
      ...(proof === undefined ? {} : { proof }),
    };
    await this.write(
      nonceExpiresMs === undefined
        ? { receipt: row }
        : {
            receipt: row,
            nonce: { requester: receipt.requester, nonce: receipt.nonce, expiresMs: nonceExpiresMs },
          },
    );
    return id;
  }
}
