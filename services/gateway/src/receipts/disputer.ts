import {
  type AccessReceipt,
  type AgencyId,
  type Hasher,
  LIMITS,
  receiptId,
  type SignedTx,
  type TxPayloads,
  toHex,
} from "@coken/ledger";
import type { StoredCall } from "@coken/store";

export interface DisputerComponents {
  self: AgencyId;
  hasher: Hasher;
  /** This agency's call log (its queued writes settled first, see `CallLog`). */
  calls: { getCalls(receiptIds: Uint8Array[]): Promise<StoredCall[]> };
  /** Signs and submits an `access.dispute` as this agency. */
  dispute(payload: TxPayloads["access.dispute"]): void;
  log?: { warn(message: string, fields?: Record<string, unknown>): void };
}

export const DISPUTE_REASON = "no verified answer to this request in the requester's call log";

/**
 * Requester side: watches committed `access.attest` txs for receipts recorded in this agency's name without its
 * co-signature, and disputes (`access.dispute`) every one whose call its call log does not hold — a request the
 * provider did not answer, or answered with something this agency never verified. Receipts of calls it made and
 * verified are left alone: they stand as attested. Work is serialized, one block after the other.
 */
export class AttestedReceiptWatcher {
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly c: DisputerComponents) {}

  /** Hands over a committed block's applied txs; returns when its receipts are checked (and disputes sent). */
  afterCommit(txs: readonly { tx: SignedTx | null; code: string | null }[]): Promise<void> {
    const mine = this.attestedToMe(txs);
    if (mine.length === 0) return this.chain;
    this.chain = this.chain
      .then(() => this.check(mine))
      .catch((e: unknown) => this.c.log?.warn("checking attested receipts failed", { error: String(e) }));
    return this.chain;
  }

  private attestedToMe(txs: readonly { tx: SignedTx | null; code: string | null }[]): AccessReceipt[] {
    const out: AccessReceipt[] = [];
    for (const { tx, code } of txs) {
      if (code !== null || tx === null || tx.body.kind !== "access.attest") continue;
      for (const batch of (tx as SignedTx<"access.attest">).body.payload.batches)
        if (batch.requester === this.c.self) out.push(...batch.receipts);
    }
    return out;
  }

  private async check(receipts: AccessReceipt[]): Promise<void> {
    const ids = receipts.map((r) => receiptId(this.c.hasher, r));
    const known = new Set(
      (await this.c.calls.getCalls(ids)).map((call) => `${call.provider}/${toHex(call.receiptId)}`),
    );
    const unknown = new Map<AgencyId, Uint8Array[]>();
    receipts.forEach((r, i) => {
      const id = ids[i] as Uint8Array;
      if (known.has(`${r.provider}/${toHex(id)}`)) return;
      unknown.set(r.provider, [...(unknown.get(r.provider) ?? []), id]);
    });
    for (const [provider, all] of unknown) {
      this.c.log?.warn("disputing receipts recorded without a call in the call log", {
        provider,
        count: all.length,
      });
      for (let at = 0; at < all.length; at += LIMITS.disputedReceipts)
        this.c.dispute({
          provider,
          receipts: all.slice(at, at + LIMITS.disputedReceipts),
          reason: DISPUTE_REASON,
        });
    }
  }
}
