import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import {
  type AccessReceipt,
  type AttestedBatch,
  keys,
  type RequestEnvelope,
  receiptId,
  requestBatchHash,
  requestEnvelopeHash,
  signReceiptBatch,
  toHex,
} from "../../src/index.js";
import { publishAndGrant, Scenario, signedBatch, testSigner } from "../fixtures.js";

const OWNER = "sh.land-registry";
const ASKER = "bj.housing";
const OTHER = "gz.tax";
const DATASET = "sh/property";

const setup = (s: Scenario, quota?: number) => publishAndGrant(s, quota);

const digest = (tag: string) => new Uint8Array(createHash("sha256").update(tag).digest());

/** A request the asker really made, and the receipt of its answer. */
function call(
  s: Scenario,
  grant: string,
  n: number,
  asker = ASKER,
): { envelope: RequestEnvelope; receipt: AccessReceipt } {
  const envelope: RequestEnvelope = {
    requester: asker,
    provider: OWNER,
    grant,
    dataset: DATASET,
    queryHash: digest(`query:${n}`),
    variablesHash: digest(`vars:${n}`),
    nonce: digest(`nonce:${n}`).subarray(0, 16),
    time: s.time,
    expiresAt: s.time + 120_000,
  };
  const receipt: AccessReceipt = {
    grant,
    dataset: DATASET,
    provider: OWNER,
    requester: asker,
    queryKind: "count",
    requestHash: requestEnvelopeHash(s.ledger.hasher, envelope),
    resultHash: digest(`result:${n}`),
    proofHash: digest(`proof:${n}`),
    nonce: envelope.nonce,
    time: envelope.time,
  };
  return { envelope, receipt };
}

/**
 * An attested batch: each call's request signed by `signer` (the asker unless forged), alone or, with
 * `together`, as one HTTP request's batch.
 */
function attested(
  s: Scenario,
  calls: { envelope: RequestEnvelope; receipt: AccessReceipt }[],
  opts: { together?: boolean; signer?: string; requester?: string } = {},
): AttestedBatch {
  const h = s.ledger.hasher;
  const signer = testSigner(opts.signer ?? ASKER);
  const requester = opts.requester ?? ASKER;
  const receipts = calls.map((c) => c.receipt);
  const proofs = (signature: (i: number) => number) =>
    calls.map(({ envelope: e }, i) => ({
      queryHash: e.queryHash,
      variablesHash: e.variablesHash,
      expiresAt: e.expiresAt,
      signature: signature(i),
    }));
  const providerSig = signReceiptBatch(h, testSigner(OWNER), OWNER, requester, receipts);
  if (opts.together) {
    const batch = Buffer.concat(receipts.map((r) => r.requestHash));
    const signature = signer.sign(requestBatchHash(h, batch));
    return {
      requester,
      receipts,
      requests: proofs(() => 0),
      signatures: [{ batch, signature }],
      providerSig,
    };
  }
  const signatures = receipts.map((r) => ({ batch: null, signature: signer.sign(r.requestHash) }));
  return { requester, receipts, requests: proofs((i) => i), signatures, providerSig };
}

describe("access.attest: receipts recorded without the requester's co-signature", () => {
  it("records receipts backed by the requester's request signatures, alone or batched, and counts them in quota", () => {
    const s = new Scenario();
    const grant = setup(s);
    const alone = [0, 1].map((n) => call(s, grant, n));
    const batched = [2, 3, 4].map((n) => call(s, grant, n));
    const codes = s.commit([
      s.tx(OWNER, "access.attest", {
        batches: [attested(s, alone), attested(s, batched, { together: true })],
      }),
    ]);
    assert.deepEqual(codes, [null]);
    assert.equal(s.ledger.state.get(keys.grant(grant))?.used, 5);
    assert.equal(s.ledger.state.get(keys.dataset(DATASET))?.accessCount, 5);
    assert.equal(s.ledger.state.get(keys.receipts)?.receiptCount, 5);
    const id = toHex(receiptId(s.ledger.hasher, alone[0]?.receipt as AccessReceipt));
    const record = s.ledger.state.get(keys.attested(id));
    assert.equal(record?.requester, ASKER);
    assert.equal(record?.provider, OWNER);
    assert.equal(record?.dispute, null);
    assert.equal(record?.recordedAt, s.ledger.head.height);
  });

  it("refuses a call the provider invented: a request not signed by the requester, or not matching the receipt", () => {
    const s = new Scenario();
    const grant = setup(s);
    const c = call(s, grant, 0);
    const seq = s.ledger.state.get(keys.account(OWNER))?.seq ?? 0;
    const attempt = (batch: AttestedBatch) => s.tx(OWNER, "access.attest", { batches: [batch] }, { seq });
    const selfSigned = attested(s, [c], { signer: OWNER });
    const otherSigner = attested(s, [c], { signer: OTHER });
    const tamperedProof = attested(s, [c]);
    tamperedProof.requests[0] = {
      ...(tamperedProof.requests[0] as AttestedBatch["requests"][number]),
      expiresAt: c.envelope.expiresAt + 1,
    };
    // A receipt whose request hash was never signed, slipped beside a batch signature of real requests.
    const real = [1, 2].map((n) => call(s, grant, n));
    const slipped = attested(s, real, { together: true });
    const invented = call(s, grant, 3);
    slipped.receipts.push(invented.receipt);
    const { queryHash, variablesHash, expiresAt } = invented.envelope;
    slipped.requests.push({ queryHash, variablesHash, expiresAt, signature: 0 });
    slipped.providerSig = signReceiptBatch(
      s.ledger.hasher,
      testSigner(OWNER),
      OWNER,
      ASKER,
      slipped.receipts,
    );
    const expired = call(s, grant, 4);
    expired.envelope.expiresAt = expired.envelope.time;
    expired.receipt.requestHash = requestEnvelopeHash(s.ledger.hasher, expired.envelope);
    const missingSignature = attested(s, [call(s, grant, 5)]);
    missingSignature.requests[0] = {
      ...(missingSignature.requests[0] as AttestedBatch["requests"][number]),
      signature: 7,
    };
    const codes = s.commit([
      attempt(selfSigned),
      attempt(otherSigner),
      attempt(tamperedProof),
      attempt(slipped),
      attempt(attested(s, [expired])),
      attempt(missingSignature),
    ]);
    assert.deepEqual(codes, Array(6).fill("BAD_REQUEST_PROOF"));
    assert.equal(s.ledger.state.get(keys.grant(grant))?.used, 0, "nothing recorded");
  });

  it("records one request once: not twice attested, nor attested after it was co-signed, whatever its result hash", () => {
    const s = new Scenario();
    const grant = setup(s);
    const c = call(s, grant, 0);
    assert.deepEqual(
      s.commit([s.tx(OWNER, "access.record", { batches: [signedBatch(s, OWNER, ASKER, [c.receipt])] })]),
      [null],
    );
    const seq = s.ledger.state.get(keys.account(OWNER))?.seq ?? 0;
    const again = attested(s, [{ ...c, receipt: { ...c.receipt, resultHash: digest("another result") } }]);
    const d = call(s, grant, 1);
    const twice = attested(s, [d, { ...d, receipt: { ...d.receipt, proofHash: digest("another proof") } }]);
    assert.deepEqual(
      s.commit([
        s.tx(OWNER, "access.attest", { batches: [again] }, { seq }),
        s.tx(OWNER, "access.attest", { batches: [twice] }, { seq }),
      ]),
      ["DUPLICATE_RECEIPT", "DUPLICATE_RECEIPT"],
    );
    assert.equal(s.ledger.state.get(keys.grant(grant))?.used, 1);
  });

  it("holds attested receipts to the grant's quota", () => {
    const s = new Scenario();
    const grant = setup(s, 2);
    const calls = [0, 1, 2].map((n) => call(s, grant, n));
    assert.deepEqual(s.commit([s.tx(OWNER, "access.attest", { batches: [attested(s, calls)] })]), [
      "QUOTA_EXCEEDED",
    ]);
    assert.deepEqual(
      s.commit([s.tx(OWNER, "access.attest", { batches: [attested(s, calls.slice(0, 2))] })]),
      [null],
    );
    assert.equal(s.ledger.state.get(keys.grant(grant))?.used, 2);
  });
});

describe("access.dispute: the requester's answer to an attested receipt", () => {
  function recorded(s: Scenario, grant: string, n: number): string {
    const c = call(s, grant, n);
    assert.deepEqual(s.commit([s.tx(OWNER, "access.attest", { batches: [attested(s, [c])] })]), [null]);
    return toHex(receiptId(s.ledger.hasher, c.receipt));
  }
  const ids = (...hex: string[]) => hex.map((x) => Uint8Array.from(Buffer.from(x, "hex")));

  it("marks the receipt disputed with its reason, once, and leaves quota as it was", () => {
    const s = new Scenario();
    const grant = setup(s);
    const id = recorded(s, grant, 0);
    const dispute = { provider: OWNER, receipts: ids(id), reason: "no answer received" };
    assert.deepEqual(s.commit([s.tx(ASKER, "access.dispute", dispute)]), [null]);
    const record = s.ledger.state.get(keys.attested(id));
    assert.equal(record?.dispute?.reason, "no answer received");
    assert.equal(record?.dispute?.height, s.ledger.head.height);
    assert.equal(s.ledger.state.get(keys.grant(grant))?.used, 1, "the call was made: its quota stays used");
    assert.deepEqual(s.commit([s.tx(ASKER, "access.dispute", dispute)]), ["ALREADY_DISPUTED"]);
  });

  it("refuses disputes by anyone but the requester, of unknown or co-signed receipts, named twice, or too late", () => {
    const s = new Scenario();
    const grant = setup(s);
    const id = recorded(s, grant, 0);
    const cosigned = call(s, grant, 1);
    assert.deepEqual(
      s.commit([
        s.tx(OWNER, "access.record", { batches: [signedBatch(s, OWNER, ASKER, [cosigned.receipt])] }),
      ]),
      [null],
    );
    const cosignedId = toHex(receiptId(s.ledger.hasher, cosigned.receipt));
    const seq = s.ledger.state.get(keys.account(ASKER))?.seq ?? 0;
    const by = (sender: string, receipts: Uint8Array[], provider = OWNER) =>
      s.tx(
        sender,
        "access.dispute",
        { provider, receipts, reason: "no answer" },
        sender === ASKER ? { seq } : {},
      );
    assert.deepEqual(
      s.commit([
        by(OWNER, ids(id)),
        by(ASKER, ids(cosignedId)),
        by(ASKER, ids(id), OTHER),
        by(ASKER, ids(id, id)),
      ]),
      ["NOT_AUTHORIZED", "UNKNOWN_RECEIPT", "UNKNOWN_RECEIPT", "INVALID_FIELD"],
    );
    const maxAge = s.ledger.state.get(keys.params)?.receiptMaxAgeMs ?? 0;
    s.time += maxAge;
    assert.deepEqual(s.commit([by(ASKER, ids(id))]), ["DISPUTE_CLOSED"]);
    assert.equal(s.ledger.state.get(keys.attested(id))?.dispute, null);
  });
});
