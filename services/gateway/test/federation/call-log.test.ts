import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { AccessReceipt } from "@coken/ledger";
import type { Store } from "@coken/store";
import { GatewayError } from "../../src/errors.js";
import { CallLog, type CallLogRepository } from "../../src/federation/call-log.js";
import { decodeIssued } from "../../src/receipts/codec.js";
import { cosignBatch } from "../../src/receipts/cosigner.js";
import { providerAndAsker } from "../provider/proved-world.js";
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
  routedFetch,
  type Side,
  signerOf,
} from "../provider/world.js";

const call = (key: string) => ({
  provider: A,
  dataset: DATASET,
  grant: GRANT,
  query: { kind: "lookup" as const, key, fields: ["area"] },
});

/** The asker's repository, with writes held until `release` (or failing while `failures` lasts). */
function heldRepository(repo: CallLogRepository) {
  let release: () => void = () => {};
  const held = new Promise<void>((r) => (release = r));
  const state = { writes: 0, failures: 0 };
  const wrapped: CallLogRepository = {
    async recordCalls(calls) {
      state.writes++;
      if (state.failures > 0) {
        state.failures--;
        throw new Error("connection lost");
      }
      await held;
      await repo.recordCalls(calls);
    },
    getCalls: (ids) => repo.getCalls(ids),
    markCosigned: (ids) => repo.markCosigned(ids),
  };
  return { wrapped, release, state };
}

describe("the asker's call log", () => {
  const clock = new Clock();
  let ledger: MapLedger;
  let provider: Side;
  let asker: Store;
  let repo: CallLogRepository;
  const IN_FLIGHT = 150_000;
  const cosign = (log: CallLog, receipts: AccessReceipt[]) =>
    cosignBatch(
      { self: B, signer: signerOf(B), hasher: h, calls: log, now: clock.now, inFlightMs: IN_FLIGHT },
      A,
      receipts,
    );
  /** Runs `step` once no call of these receipts can still be in flight at the asker. */
  const later = async <T>(step: () => Promise<T>): Promise<T> => {
    const t = clock.t;
    clock.t += IN_FLIGHT + 1;
    try {
      return await step();
    } finally {
      clock.t = t;
    }
  };
  const deferred = (e: unknown) => e instanceof GatewayError && e.code === "UPSTREAM_UNAVAILABLE";
  const issued = async (receiptId: string): Promise<AccessReceipt> => {
    const pending = (await provider.store.gateway?.pendingReceipts(B, 100)) ?? [];
    const found = pending.find((r) => Buffer.from(r.id).toString("hex") === receiptId);
    assert.ok(found, "the provider issued the receipt");
    return decodeIssued(found.receipt).receipt;
  };

  let sides: Awaited<ReturnType<typeof providerAndAsker>>;

  before(async () => {
    ledger = baseLedger();
    sides = await providerAndAsker(ledger, clock);
    ({ provider, asker } = sides);
    assert.ok(asker.gateway);
    repo = asker.gateway;
  });
  after(() => sides.close());

  it("a call lost before its log was written is not co-signed after a restart; a logged one is", async () => {
    // The first process answers its caller, then dies before the call log's write lands.
    const dying = heldRepository(repo);
    const before = makeClient(B, ledger, clock, asker, routedFetch([provider]), { calls: dying.wrapped });
    const lost = await before.call(call("p-1"));
    assert.equal(lost.result.kind, "lookup", "the answer did not wait for the call log");

    // The restarted process (a new repository object over the same store) logs its calls.
    const restarted: CallLogRepository = {
      recordCalls: (calls) => repo.recordCalls(calls),
      getCalls: (ids) => repo.getCalls(ids),
      markCosigned: (ids) => repo.markCosigned(ids),
    };
    const after = makeClient(B, ledger, clock, asker, routedFetch([provider]), { calls: restarted });
    const logged = await after.call(call("p-2"));
    const log = CallLog.of(restarted);
    await log.settled();

    const lostReceipt = await issued(lost.verification.receipt.id);
    const loggedReceipt = await issued(logged.verification.receipt.id);
    // While the lost call could still be in flight, the batch is deferred, not refused.
    await assert.rejects(cosign(log, [lostReceipt, loggedReceipt]), deferred);
    const refused = await later(() => cosign(log, [lostReceipt, loggedReceipt]));
    assert.ok("rejected" in refused);
    assert.deepEqual(
      refused.rejected.map((id) => Buffer.from(id).toString("hex")),
      [lost.verification.receipt.id],
    );
    const signed = await cosign(log, [loggedReceipt]);
    assert.ok("signature" in signed, "the logged call is co-signed");
  });

  it("co-signing waits for the log writes queued before it", async () => {
    const slow = heldRepository(repo);
    const client = makeClient(B, ledger, clock, asker, routedFetch([provider]), { calls: slow.wrapped });
    const answer = await client.call(call("p-3"));
    const receipt = await issued(answer.verification.receipt.id);
    let done = false;
    const outcome = cosign(client.callLog, [receipt]).finally(() => (done = true));
    await new Promise((r) => setImmediate(r));
    assert.equal(done, false, "co-signing waits while the write is held");
    slow.release();
    const result = await outcome;
    assert.ok("signature" in result, "and then finds the call");
  });

  it("a failed write is tried once more; a call whose writes both fail is lost, and its receipt refused", async () => {
    const flaky = heldRepository(repo);
    flaky.release();
    const client = makeClient(B, ledger, clock, asker, routedFetch([provider]), { calls: flaky.wrapped });
    flaky.state.failures = 1;
    const retried = await client.call(call("p-1"));
    await client.callLog.settled();
    assert.equal(flaky.state.writes, 2);
    assert.equal(client.callLog.lost, 0);
    flaky.state.failures = 2;
    const dropped = await client.call({
      ...call("p-2"),
      query: { ...call("p-2").query, fields: ["district"] },
    });
    await client.callLog.settled();
    assert.equal(client.callLog.lost, 1);

    const receipts = [
      await issued(retried.verification.receipt.id),
      await issued(dropped.verification.receipt.id),
    ];
    const outcome = await later(() => cosign(client.callLog, receipts));
    assert.ok("rejected" in outcome);
    assert.deepEqual(
      outcome.rejected.map((id) => Buffer.from(id).toString("hex")),
      [dropped.verification.receipt.id],
    );
  });
});
