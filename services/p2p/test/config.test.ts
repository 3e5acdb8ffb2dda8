import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type NetworkInit, peerTargets, resolveConfig } from "../src/config.js";
import { createNetwork, isNetworkError } from "../src/index.js";
import { LOOPBACK, peerIds, seedFor } from "./helpers.js";

const base = (): NetworkInit => ({ chainId: "coken-test", seed: seedFor(0), listen: [LOOPBACK], allow: [] });
const invalid = (e: unknown) => isNetworkError(e, "INVALID_CONFIG");

describe("config", () => {
  it("fills in defaults", () => {
    const c = resolveConfig(base());
    assert.equal(c.maxMessageBytes, 1024 * 1024);
    assert.equal(c.maxFrameBytes, 4 * 1024 * 1024);
    assert.equal(c.topicMaxBytes.parts, c.maxMessageBytes);
    const tight = resolveConfig({ ...base(), topicMaxBytes: { parts: 70_000, proposals: 1024 } });
    assert.deepEqual(
      [tight.topicMaxBytes.parts, tight.topicMaxBytes.proposals, tight.topicMaxBytes.txs],
      [70_000, 1024, 1024 * 1024],
    );
    assert.equal(c.scoring.banThreshold, -100);
    assert.ok(c.redial.maxDelayMs >= c.redial.minDelayMs);
  });

  it("refuses bad values with INVALID_CONFIG", () => {
    const cases: Partial<NetworkInit>[] = [
      { chainId: "Bad/Chain" },
      { chainId: "" },
      { seed: new Uint8Array(16) },
      { listen: [] },
      { listen: ["not a multiaddr"] },
      { allow: ["nope"] },
      { maxMessageBytes: 0 },
      { maxFrameBytes: 1.5 },
      { topicMaxBytes: { parts: 0 } },
      { maxMessageBytes: 1000, topicMaxBytes: { parts: 1001 } },
      { topicMaxBytes: { blocks: 10 } as NetworkInit["topicMaxBytes"] },
      { redial: { minDelayMs: 1000, maxDelayMs: 10 } },
      { scoring: { banThreshold: 5 } },
    ];
    for (const c of cases)
      assert.throws(() => resolveConfig({ ...base(), ...c }), invalid, JSON.stringify(c));
  });

  it("requires every peer address to name its peer, and skips this peer's own", async () => {
    const [self, other] = await peerIds(2);
    const addr = `/ip4/127.0.0.1/tcp/4001/p2p/${other}`;
    const targets = peerTargets(
      resolveConfig({ ...base(), peers: [addr, `/ip4/127.0.0.1/tcp/1/p2p/${self}`] }).peers,
      self!,
    );
    assert.equal(targets.length, 1);
    assert.ok(targets[0]!.peerId.equals(other!));
    await assert.rejects(createNetwork({ ...base(), peers: ["/ip4/127.0.0.1/tcp/4001"] }), invalid);
  });
});
