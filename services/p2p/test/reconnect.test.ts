import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Network } from "../src/index.js";
import { hasPeer, peerIds, RecordingLogger, startCluster, startNode, stopAll, waitFor } from "./helpers.js";

describe("reconnection", () => {
  let nodes: Network[] = [];
  let restarted: Network | undefined;
  const logs = [new RecordingLogger(), new RecordingLogger(), new RecordingLogger()];

  before(async () => {
    ({ nodes } = await startCluster(3, (i) => ({ logger: logs[i]! })));
  });
  after(() => stopAll([...nodes, restarted]));

  it("redials a peer that stopped once it listens again on the same port", async () => {
    const [a, b, c] = nodes as [Network, Network, Network];
    const ids = await peerIds(3);
    const addr = a.addresses()[0]!; // B and C were configured with it; A dials no one
    const port = addr.getComponents().find((x) => x.name === "tcp")?.value;
    assert.ok(port !== undefined && port !== "0");
    await a.stop();
    await a.stop(); // idempotent
    // B and C notice, and keep failing to dial the closed port, backing off.
    const failed = (i: number) => logs[i]!.count("dial failed", { peer: a.peerId.toString() });
    await waitFor(() => failed(1) >= 2 && failed(2) >= 2, "B and C retried the stopped node");
    assert.ok(!hasPeer(b.peers(), a.peerId) && !hasPeer(c.peers(), a.peerId));

    restarted = await startNode(0, ids, { listen: [`/ip4/127.0.0.1/tcp/${port}`] });
    assert.ok(restarted.peerId.equals(a.peerId), "same seed, same identity");
    await waitFor(
      () => hasPeer(b.peers(), a.peerId) && hasPeer(c.peers(), a.peerId) && restarted!.peers().length === 2,
      "B and C reconnected to the restarted node",
    );
  });
});
