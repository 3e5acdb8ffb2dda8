import {
  type AccessReceipt,
  type Agency,
  batchHash,
  type Hasher,
  merkleRoot,
  receiptId,
  requestBatchHash,
  requestEnvelopeHash,
  type SignedTx,
  toHex,
  type Verifier,
} from "@coken/ledger";

/** Why one receipt of an applied tx fails the auditor's own check (the ledger accepted it: a verifier bug or a forgery). */
export interface ReceiptProblem {
  /** Position of the receipt in its tx, counting across batches. */
  index: number;
  receipt: string;
  reason: string;
}

type AgencyOf = (id: string) => Agency | undefined;

function verifies(v: Verifier, who: Agency | undefined, message: Uint8Array, sig: Uint8Array): boolean {
  return who !== undefined && v.verify(who.keyScheme, who.publicKey, message, sig);
}

function batchOf(h: Hasher, provider: string, requester: string, receipts: readonly AccessReceipt[]) {
  const ids = receipts.map((r) => receiptId(h, r));
  return { ids, hash: batchHash(h, provider, requester, merkleRoot(h, ids), ids.length) };
}

/**
 * Re-checks, for an applied access.record or access.attest tx, every receipt's acknowledgement the way a holder
 * of one receipt would (docs/spec/ledger.md §8.7, §7.4.13): co-signed batches need both batch signatures;
 * attested batches the provider's batch signature and, per receipt, the requester's own signature over the
 * request the receipt names. Returns the problems found (none for a sound tx).
 */
export function checkReceiptSignatures(
  h: Hasher,
  verifier: Verifier,
  tx: SignedTx,
  agencyOf: AgencyOf,
): ReceiptProblem[] {
  const problems: ReceiptProblem[] = [];
  const provider = agencyOf(tx.body.sender);
  let base = 0;
  if (tx.body.kind === "access.record") {
    for (const b of tx.body.payload.batches) {
      const { ids, hash } = batchOf(h, tx.body.sender, b.requester, b.receipts);
      const requesterOk = verifies(verifier, agencyOf(b.requester), hash, b.requesterSig);
      const providerOk = verifies(verifier, provider, hash, b.providerSig);
      if (!requesterOk || !providerOk) {
        const who = !requesterOk ? "requester" : "provider";
        ids.forEach((id, i) => {
          problems.push({
            index: base + i,
            receipt: toHex(id),
            reason: `${who} batch signature does not verify`,
          });
        });
      }
      base += ids.length;
    }
  } else if (tx.body.kind === "access.attest") {
    for (const b of tx.body.payload.batches) {
      const { ids, hash } = batchOf(h, tx.body.sender, b.requester, b.receipts);
      const requester = agencyOf(b.requester);
      const providerOk = verifies(verifier, provider, hash, b.providerSig);
      const signed = new Map<number, boolean>();
      b.receipts.forEach((r, i) => {
        const reason = providerOk
          ? requestProblem(h, verifier, requester, b, r, i, signed)
          : "provider batch signature does not verify";
        if (reason !== null) problems.push({ index: base + i, receipt: toHex(ids[i] as Uint8Array), reason });
      });
      base += ids.length;
    }
  }
  return problems;
}

type AttestedBatch = Extract<SignedTx["body"], { kind: "access.attest" }>["payload"]["batches"][number];

function requestProblem(
  h: Hasher,
  verifier: Verifier,
  requester: Agency | undefined,
  b: AttestedBatch,
  r: AccessReceipt,
  i: number,
  signed: Map<number, boolean>,
): string | null {
  const q = b.requests[i];
  if (q === undefined) return "no request proof";
  const envelope = {
    requester: r.requester,
    provider: r.provider,
    grant: r.grant,
    dataset: r.dataset,
    queryHash: q.queryHash,
    variablesHash: q.variablesHash,
    nonce: r.nonce,
    time: r.time,
    expiresAt: q.expiresAt,
  };
  if (r.time >= q.expiresAt) return "the request had expired at its own time";
  if (toHex(requestEnvelopeHash(h, envelope)) !== toHex(r.requestHash))
    return "the request proof does not rebuild the receipt's request hash";
  const s = b.signatures[q.signature];
  if (s === undefined) return "the request signature it names is missing";
  if (s.batch !== null) {
    const wanted = toHex(r.requestHash);
    let found = false;
    for (let k = 0; k + 32 <= s.batch.length && !found; k += 32)
      found = toHex(s.batch.subarray(k, k + 32)) === wanted;
    if (!found || s.batch.length % 32 !== 0 || s.batch.length < 64)
      return "the request is not in its signed request batch";
  }
  // A batch signature covers one message whichever receipt names it; a lone one covers only its own request.
  let ok = s.batch === null ? undefined : signed.get(q.signature);
  if (ok === undefined) {
    const message = s.batch === null ? r.requestHash : requestBatchHash(h, s.batch);
    ok = verifies(verifier, requester, message, s.signature);
    if (s.batch !== null) signed.set(q.signature, ok);
  }
  return ok ? null : "the requester's request signature does not verify";
}
