import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Network } from "../src/index.js";
import { FakeClock, hasPeer, RecordingLogger, startCluster, stopAll, waitFor } from "./helpers.js";

describe("invalid data accounting", () => {
  let nodes: Network[] = [];
  const clock = new FakeClock();
  const logA = new RecordingLogger();

  before(async () => {
    // Node A (0) judges; node B (1) has A configured, so it keeps redialling A while banned.
    ({ nodes } = await startCluster(3, (i) =>
      i === 0
        ? { logger: logA, now: clock.now, scoring: { penalty: 10, banThreshold: -25, cooldownMs: 60_000 } }
        : {},
    ));
  });
  after(() => stopAll(nodes));

  it("disconnects a peer whose score falls below the threshold and refuses it until the cooldown ends", async () => {
    const [a, b, c] = nodes as [Network, Network, Network];
    a.reportInvalid(b.peerId, "bad-signature");
    a.reportInvalid(b.peerId, "bad-signature");
    assert.deepEqual(a.peerScore(b.peerId), { score: -20, reasons: { "bad-signature": 2 } });
    assert.ok(hasPeer(a.peers(), b.peerId), "still connected above the threshold");

    a.reportInvalid(b.peerId, "malformed-vote");
    const banned = a.peerScore(b.peerId);
    assert.equal(banned.bannedUntil, clock.ms + 60_000);
    assert.deepEqual(banned.reasons, { "bad-signature": 2, "malformed-vote": 1 });
    assert.deepEqual(a.invalidReports(), { "bad-signature": 2, "malformed-vote": 1 });
    assert.equal(logA.count("peer banned", { peer: b.peerId.toString() }), 1);

    await waitFor(() => !hasPeer(b.peers(), a.peerId), "B lost its connection to A");
    const refusedBefore = logA.count("connection refused", { peer: b.peerId.toString(), reason: "banned" });
    await waitFor(
      () =>
        logA.count("connection refused", { peer: b.peerId.toString(), reason: "banned" }) >=
        refusedBefore + 2,
      "A refused B's redials",
    );
    assert.ok(!hasPeer(a.peers(), b.peerId));
    assert.ok(hasPeer(a.peers(), c.peerId) && hasPeer(b.peers(), c.peerId), "the others are untouched");

    clock.advance(60_000);
    await waitFor(
      () => hasPeer(a.peers(), b.peerId) && hasPeer(b.peers(), a.peerId),
      "B back after the cooldown",
    );
    assert.equal(a.peerScore(b.peerId).bannedUntil, undefined);
    assert.equal(a.peerScore(b.peerId).score, 0);
  });

  it("ignores reports against itself", () => {
    const a = nodes[0]!;
    a.reportInvalid(a.peerId, "x");
    assert.equal(a.invalidReports().x, undefined);
  });
});
