import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { isNetworkError, type Network, type PeerId } from "../src/index.js";
import { hasPeer, peerIds, RecordingLogger, startCluster, startNode, stopAll, waitFor } from "./helpers.js";

const P2P_CODE = 0x01a5;

describe("permissioned connections", () => {
  let nodes: Network[] = [];
  let ids: PeerId[] = [];
  let outsider: Network | undefined;
  const logs = [new RecordingLogger(), new RecordingLogger(), new RecordingLogger()];
  const outsiderGot: string[] = [];

  before(async () => {
    ({ nodes, ids } = await startCluster(3, (i) => ({ logger: logs[i]! })));
    const [, , , outsiderId] = await peerIds(4);
    // The outsider allows everyone and is configured to dial node A: only A's gater stands in the way.
    outsider = await startNode(3, [...ids, outsiderId!], { peers: nodes[0]!.addresses() });
    outsider.onMessage("txs", (data) => void outsiderGot.push(new TextDecoder().decode(data)));
  });
  after(() => stopAll([...nodes, outsider]));

  const refused = (i: number, peer: PeerId) =>
    logs[i]!.count("connection refused", { peer: peer.toString(), reason: "not-allowed" });

  it("refuses a peer outside the allow-list inbound, and never dials it", async () => {
    const o = outsider!;
    await waitFor(() => refused(0, o.peerId) >= 2, "A refused the outsider's dial and its redial");
    // The dialler may see its side of the upgrade finish before B's gater closes the connection.
    await o.connect(nodes[1]!.addresses()[0]!).catch(() => undefined);
    await waitFor(() => refused(1, o.peerId) >= 1, "B refused the outsider");
    await waitFor(() => o.peers().length === 0, "the outsider holds no connection");

    await assert.rejects(nodes[0]!.connect(o.addresses()[0]!), (e) => isNetworkError(e, "NOT_ALLOWED"));
    // Dialling its address without the /p2p/ part is refused too, once noise has proved who answered.
    const bare = o.addresses()[0]!.decapsulateCode(P2P_CODE);
    await assert.rejects(nodes[1]!.connect(bare), (e) => isNetworkError(e, "NOT_ALLOWED"));

    await nodes[1]!.publish("txs", new TextEncoder().encode("for members"));
    // The outsider's own view can flicker (its redials "succeed" until the refusal reaches it); what matters is
    // that no member holds it and that it never learnt a single subscription or message.
    for (const topic of ["txs", "votes"] as const) assert.deepEqual(o.subscribers(topic), []);
    for (const n of nodes) {
      assert.ok(!hasPeer(n.peers(), o.peerId));
      assert.equal(n.peers().length, 2);
    }
    assert.deepEqual(outsiderGot, []);
  });

  it("drops peers removed from the allow-list and takes them back when re-added", async () => {
    const [a, b, c] = nodes as [Network, Network, Network];
    const disconnects = (i: number, peer: PeerId) =>
      logs[i]!.count("peer disconnected", { peer: peer.toString() });
    const before = disconnects(1, c.peerId);
    c.setAllowList([ids[0]!, ids[2]!]); // C no longer accepts B
    b.setAllowList([ids[0]!, ids[1]!]); // nor B C
    await waitFor(() => disconnects(1, c.peerId) > before, "B's connection to C closed");
    assert.ok(!hasPeer(c.peers(), b.peerId) && !hasPeer(b.peers(), c.peerId));
    assert.ok(hasPeer(a.peers(), b.peerId) && hasPeer(a.peers(), c.peerId));
    await assert.rejects(b.connect(c.addresses()[0]!), (e) => isNetworkError(e, "NOT_ALLOWED"));
    c.setAllowList(ids);
    b.setAllowList(ids);
    await waitFor(() => hasPeer(c.peers(), b.peerId) && hasPeer(b.peers(), c.peerId), "B and C reconnected");
  });
});
