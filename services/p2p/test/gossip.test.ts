import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { GOSSIP_TOPICS, type GossipTopic, isNetworkError, type Network, type PeerId } from "../src/index.js";
import { hasPeer, startCluster, startNode, stopAll, waitFor } from "./helpers.js";

interface Received {
  topic: GossipTopic;
  text: string;
  from: string;
}

describe("gossip", () => {
  const N = 4;
  let nodes: Network[] = [];
  let ids: PeerId[] = [];
  const received: Received[][] = [];

  before(async () => {
    // The last node bounds every topic to 1 KiB; the one before it only `parts`, to 512 bytes.
    ({ nodes, ids } = await startCluster(N, (i) =>
      i === N - 1 ? { maxMessageBytes: 1024 } : i === N - 2 ? { topicMaxBytes: { parts: 512 } } : {},
    ));
    nodes.forEach((node, i) => {
      received[i] = [];
      for (const topic of GOSSIP_TOPICS) {
        node.onMessage(topic, (data, from) => {
          assert.equal(Object.getPrototypeOf(data), Uint8Array.prototype);
          received[i]!.push({ topic, text: new TextDecoder().decode(data), from: from.toString() });
        });
      }
    });
    await waitFor(
      () =>
        nodes.every((node, i) =>
          GOSSIP_TOPICS.every((t) => ids.every((id, j) => j === i || hasPeer(node.subscribers(t), id))),
        ),
      "every node subscribed to every topic at every other node",
    );
  });
  after(() => stopAll(nodes));

  const count = (i: number, pred: (r: Received) => boolean) => received[i]!.filter(pred).length;

  it("delivers each message on every topic to every other node exactly once", async () => {
    for (const round of ["r1", "r2"]) {
      for (const [i, node] of nodes.entries()) {
        for (const topic of GOSSIP_TOPICS) {
          const sent = await node.publish(topic, new TextEncoder().encode(`${round}:${topic}:${i}`));
          assert.equal(sent, N - 1);
        }
      }
      const expected = (N - 1) * GOSSIP_TOPICS.length;
      await waitFor(
        () => nodes.every((_, i) => count(i, (r) => r.text.startsWith(`${round}:`)) >= expected),
        `${round} delivered`,
      );
    }
    // After the second round has fully arrived, the first round's counts must still be exact (no duplicates).
    for (const [i] of nodes.entries()) {
      for (const round of ["r1", "r2"]) {
        for (const topic of GOSSIP_TOPICS) {
          for (const [j, id] of ids.entries()) {
            const n = count(i, (r) => r.topic === topic && r.text === `${round}:${topic}:${j}`);
            assert.equal(n, i === j ? 0 : 1, `node ${i} got ${round}:${topic}:${j} ${n} times`);
            if (i !== j) {
              const r = received[i]!.find((x) => x.text === `${round}:${topic}:${j}`);
              assert.equal(r?.from, id.toString(), "the author is reported as the sender");
            }
          }
        }
      }
    }
  });

  it("refuses to publish above the bound and drops received messages above the receiver's bound", async () => {
    const small = N - 1; // started with maxMessageBytes 1024
    await assert.rejects(nodes[small]!.publish("txs", new Uint8Array(1025)), (e) =>
      isNetworkError(e, "FRAME_TOO_LARGE"),
    );
    await nodes[0]!.publish("txs", new TextEncoder().encode(`big:${"x".repeat(4000)}`));
    await nodes[0]!.publish("txs", new TextEncoder().encode("small-after-big"));
    await waitFor(
      () => nodes.every((_, i) => i === 0 || count(i, (r) => r.text === "small-after-big") === 1),
      "small",
    );
    await waitFor(
      () => nodes.every((_, i) => i === 0 || i === small || count(i, (r) => r.text.startsWith("big:")) === 1),
      "big",
    );
    assert.equal(
      count(small, (r) => r.text.startsWith("big:")),
      0,
    );
    await waitFor(() => (nodes[small]!.invalidReports()["gossip-oversize"] ?? 0) >= 1, "oversize counted");
  });

  it("bounds a topic on its own: a part above the parts bound is refused and dropped, other topics unaffected", async () => {
    const tight = N - 2; // started with topicMaxBytes.parts 512
    await assert.rejects(nodes[tight]!.publish("parts", new Uint8Array(513)), (e) =>
      isNetworkError(e, "FRAME_TOO_LARGE"),
    );
    const before = nodes[tight]!.invalidReports()["gossip-oversize"] ?? 0;
    const text = `part:${"x".repeat(600)}`;
    await nodes[0]!.publish("parts", new TextEncoder().encode(text));
    await nodes[0]!.publish("txs", new TextEncoder().encode(`tx:${"x".repeat(600)}`));
    await waitFor(
      () =>
        nodes.every(
          (_, i) => i === 0 || count(i, (r) => r.topic === "txs" && r.text.startsWith("tx:x")) === 1,
        ),
      "the 600-byte tx everywhere",
    );
    await waitFor(
      () => nodes.every((_, i) => i === 0 || i === tight || count(i, (r) => r.text === text) === 1),
      "the 600-byte part where the bound allows it",
    );
    await waitFor(
      () => (nodes[tight]!.invalidReports()["gossip-oversize"] ?? 0) > before,
      "oversize part counted",
    );
    assert.equal(
      count(tight, (r) => r.text === text),
      0,
    );
  });

  it("lets a lone node publish without peers", async () => {
    const lone = await startNode(9, []);
    try {
      assert.equal(await lone.publish("votes", Uint8Array.of(1)), 0);
      await assert.rejects(lone.start(), (e) => isNetworkError(e, "CLOSED"), "a network starts once");
      // A second node cannot take the same port: start fails with a typed error and leaves nothing open.
      await assert.rejects(startNode(8, [], { listen: lone.addresses() }), (e) =>
        isNetworkError(e, "INVALID_CONFIG"),
      );
    } finally {
      await lone.stop();
    }
  });
});
