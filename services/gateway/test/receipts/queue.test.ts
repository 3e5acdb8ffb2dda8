import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  batchHash,
  decodeTx,
  receiptBatchRoot,
  receiptId,
  requestBatchHash,
  requestEnvelopeHash,
  type SignedTx,
  toHex,
  txId,
} from "@coken/ledger";
import { openStore, type Store } from "@coken/store";
import { cosignOver } from "../../src/receipts/cosign-client.js";
import { ReceiptIssuer } from "../../src/receipts/issuer.js";
import { ReceiptQueue, type SubmitResult } from "../../src/receipts/queue.js";
import {
  A,
  B,
  baseLedger,
  Clock,
  DATASET,
  GRANT,
  h,
  type MapLedger,
  makeClient,
  makeSide,
  routedFetch,
  type Side,
  signerOf,
  verifier,
} from "../provider/world.js";

const lookup = (key: string) => ({
  provider: A,
  dataset: DATASET,
  grant: GRANT,
  query: { kind: "lookup" as const, key, fields: ["area"] },
});

/** The peer's side of the queue: a mempool that keeps what it is given, and blocks the test commits at will. */
class FakeChain {
  readonly submitted: SignedTx<"access.record">[] = [];
  readonly attested: SignedTx<"access.attest">[] = [];
  readonly committed = new Map<string, { height: number; code: string | null }>();
  submitTx = (raw: Uint8Array): SubmitResult => {
    const tx = decodeTx(raw);
    if (tx.body.kind === "access.attest") this.attested.push(tx as SignedTx<"access.attest">);
    else this.submitted.push(tx as SignedTx<"access.record">);
    return { ok: true, id: "" };
  };
  txResult = async (id: Uint8Array) => this.committed.get(toHex(id)) ?? null;
}

describe("receipt queue: batching, co-signing, submission, commit", () => {
  const clock = new Clock();
  let dir = "";
  let ledger: MapLedger;
  let providerStore: Store;
  let provider: Side;
  let requester: Side;
  let chain: FakeChain;
  let reachable = true;

  const fetchRouted = (): typeof fetch => {
    const inner = routedFetch([]);
    return ((input: string | URL | Request, init?: RequestInit) => {
      const sides = reachable ? [provider, requester] : [provider];
      return routedFetch(sides)(input, init) ?? inner(input, init);
    }) as typeof fetch;
  };

  const queueFor = (issuer: ReceiptIssuer, store: Store) => {
    const repo = store.gateway;
    assert.ok(repo);
    const transport = makeClient(A, ledger, clock, store, fetchRouted()).transport;
    return new ReceiptQueue(
      {
        self: A,
        chainId: "coken-test",
        signer: signerOf(A),
        hasher: h,
        verifier,
        ledger,
        repo,
        issuer,
        cosign: cosignOver(transport),
        submitTx: chain.submitTx,
        txResult: chain.txResult,
        now: clock.now,
      },
      {
        maxBatch: 100,
        maxWaitMs: 0,
        intervalMs: 1000,
        retryBaseMs: 1000,
        retryMaxMs: 8000,
        resubmitAfterMs: 5000,
        ackWaitMs: 60_000,
      },
    );
  };
  const asker = () => makeClient(B, ledger, clock, requester.store, fetchRouted());
  const lastTx = () => {
    const tx = chain.submitted.at(-1);
    assert.ok(tx);
    return tx;
  };
  const status = async (id: string) =>
    (await providerStore.gateway?.issuedReceipt(Buffer.from(id, "hex")))?.status;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "coken-receipts-"));
    ledger = baseLedger();
    providerStore = await openStore({ kind: "pglite", dataDir: join(dir, "a") });
    provider = await makeSide(A, ledger, clock, { store: providerStore });
    requester = await makeSide(B, ledger, clock);
    chain = new FakeChain();
  });
  after(async () => {
    await providerStore.close();
    await requester.store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("batches a requester's receipts, gets both signatures over the batch hash, submits, and marks them committed", async () => {
    const answers = await Promise.all(["p-1", "p-2", "p-3"].map((k) => asker().call(lookup(k))));
    const queue = queueFor(provider.issuer, providerStore);
    await queue.flush();
    const tx = lastTx();
    assert.equal(tx.body.kind, "access.record");
    assert.equal(tx.body.sender, A);
    assert.equal(tx.body.seq, 3);
    const [batch] = tx.body.payload.batches;
    assert.ok(batch);
    assert.equal(batch.requester, B);
    assert.deepEqual(
      batch.receipts.map((r) => toHex(receiptId(h, r))).sort(),
      answers.map((a) => a.verification.receipt.id).sort(),
    );
    const bh = batchHash(h, A, B, receiptBatchRoot(h, batch.receipts), batch.receipts.length);
    assert.ok(verifier.verify("ed25519", signerOf(B).publicKey, bh, batch.requesterSig));
    assert.ok(verifier.verify("ed25519", signerOf(A).publicKey, bh, batch.providerSig));
    for (const a of answers) assert.equal(await status(a.verification.receipt.id), "batched");
    assert.equal(provider.issuer.pending(GRANT), 3);

    chain.committed.set(toHex(txId(h, tx.body)), { height: 9, code: null });
    await queue.flush();
    for (const a of answers) assert.equal(await status(a.verification.receipt.id), "committed");
    const state = await providerStore.gateway?.issuedReceipt(
      Buffer.from(answers[0]?.verification.receipt.id ?? "", "hex"),
    );
    assert.equal(state?.committedHeight, 9);
    assert.equal(
      provider.issuer.pending(GRANT),
      0,
      "committed receipts count through the ledger's `used` now",
    );
    const calls = await requester.store.gateway?.getCalls(
      answers.map((a) => Buffer.from(a.verification.receipt.id, "hex")),
    );
    assert.ok(calls?.every((c) => c.cosigned));
  });

  /** Checks an attested batch the way the ledger does: each request proof rebuilds the receipt's request hash
   *  and the requester's signature covers it. */
  const requestsSigned = (batch: SignedTx<"access.attest">["body"]["payload"]["batches"][number]) =>
    batch.receipts.every((r, i) => {
      const proof = batch.requests[i];
      const signed = proof && batch.signatures[proof.signature];
      if (!proof || !signed) return false;
      const { requester, provider, grant, dataset, nonce, time } = r;
      const { queryHash, variablesHash, expiresAt } = proof;
      const envelope = {
        requester,
        provider,
        grant,
        dataset,
        queryHash,
        variablesHash,
        nonce,
        time,
        expiresAt,
      };
      const hash = requestEnvelopeHash(h, envelope);
      if (toHex(hash) !== toHex(r.requestHash)) return false;
      const key = signerOf(B).publicKey;
      if (signed.batch === null) return verifier.verify("ed25519", key, hash, signed.signature);
      return verifier.verify("ed25519", key, requestBatchHash(h, signed.batch), signed.signature);
    });

  it("a requester that refuses to co-sign an answer it got (called around its own call log) is recorded anyway", async () => {
    const real = await asker().call(lookup("p-1"));
    const scratch = await openStore({ kind: "pglite", dataDir: join(dir, "scratch") });
    try {
      // The same agency asking through a client whose calls its co-signer never sees.
      const around = await makeClient(B, ledger, clock, scratch, fetchRouted()).call(lookup("p-3"));
      clock.t += 200_000; // past the window in which the requester may still be verifying the call
      const before = chain.submitted.length;
      const queue = queueFor(provider.issuer, providerStore);
      await queue.flush();
      assert.equal(chain.submitted.length, before, "no co-signed batch holding a refused receipt");
      const [attest] = chain.attested.slice(-1);
      assert.ok(attest, "the refused receipt is recorded alone");
      const [batch] = attest.body.payload.batches;
      assert.ok(batch);
      assert.deepEqual(
        batch.receipts.map((r) => toHex(receiptId(h, r))),
        [around.verification.receipt.id],
      );
      assert.ok(requestsSigned(batch), "backed by the requester's own request signature");
      const bh = batchHash(h, A, B, receiptBatchRoot(h, batch.receipts), batch.receipts.length);
      assert.ok(verifier.verify("ed25519", signerOf(A).publicKey, bh, batch.providerSig));
      assert.equal(await status(around.verification.receipt.id), "batched");
      assert.equal(provider.issuer.pending(GRANT) > 0, true, "its quota slot is not given back");
      assert.equal(await status(real.verification.receipt.id), "pending");
      await queue.flush();
      const [signed] = lastTx().body.payload.batches;
      assert.deepEqual(
        signed?.receipts.map((r) => toHex(receiptId(h, r))),
        [real.verification.receipt.id],
        "the other receipts are co-signed as usual",
      );
    } finally {
      await scratch.close();
    }
  });

  it("an unreachable requester delays the batch (with backoff) and loses nothing", async () => {
    const answer = await asker().call(lookup("p-2"));
    const before = chain.submitted.length;
    reachable = false;
    const queue = queueFor(provider.issuer, providerStore);
    await queue.flush();
    assert.equal(chain.submitted.length, before);
    assert.equal(await status(answer.verification.receipt.id), "batched");
    const [waiting] =
      (await providerStore.gateway?.dueBatches("cosigning", Number.MAX_SAFE_INTEGER, 10)) ?? [];
    assert.equal(waiting?.attempts, 1);
    assert.ok((waiting?.nextAttemptMs ?? 0) > clock.t);

    reachable = true;
    await queue.flush();
    assert.equal(chain.submitted.length, before, "not retried before its time");
    clock.t += 1000;
    await queue.flush();
    assert.equal(chain.submitted.length, before + 1);
    const receipts = lastTx().body.payload.batches[0]?.receipts ?? [];
    assert.deepEqual(
      receipts.map((r) => toHex(receiptId(h, r))),
      [answer.verification.receipt.id],
    );
  });

  it("a requester that stays silent past the acknowledgement wait is recorded without its co-signature", async () => {
    const answer = await asker().call(lookup("p-2"));
    reachable = false;
    try {
      const queue = queueFor(provider.issuer, providerStore);
      const before = chain.attested.length;
      await queue.flush();
      assert.equal(chain.attested.length, before, "still waiting for the co-signature");
      clock.t += 61_000;
      await queue.flush();
      const batch = chain.attested.at(-1)?.body.payload.batches[0];
      assert.ok(batch && requestsSigned(batch));
      assert.deepEqual(
        batch.receipts.map((r) => toHex(receiptId(h, r))),
        [answer.verification.receipt.id],
      );
    } finally {
      reachable = true;
    }
  });

  it("a crash and restart keep every receipt: the queue resumes from the store", async () => {
    const answers = await Promise.all(["p-1", "p-3"].map((k) => asker().call(lookup(k))));
    const outstanding = provider.issuer.pending(GRANT);
    await providerStore.close();
    providerStore = await openStore({ kind: "pglite", dataDir: join(dir, "a") });
    const repo = providerStore.gateway;
    assert.ok(repo);
    const issuer = await ReceiptIssuer.open(h, repo);
    assert.equal(issuer.pending(GRANT), outstanding, "quota bookkeeping restored");
    const before = chain.submitted.length;
    await queueFor(issuer, providerStore).flush();
    const sent = chain.submitted
      .slice(before)
      .flatMap((tx) => tx.body.payload.batches.flatMap((b) => b.receipts.map((r) => toHex(receiptId(h, r)))));
    for (const a of answers) assert.ok(sent.includes(a.verification.receipt.id), "resumed after the restart");
    for (const a of answers) assert.equal(await status(a.verification.receipt.id), "batched");
  });

  it("a tx that never lands is sent again after a while", async () => {
    const before = chain.submitted.length;
    const repo = providerStore.gateway;
    assert.ok(repo);
    const queue = queueFor(await ReceiptIssuer.open(h, repo), providerStore);
    clock.t += 6000;
    await queue.flush();
    assert.ok(chain.submitted.length > before, "resubmitted");
  });
});
