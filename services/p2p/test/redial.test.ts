import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PeerId } from "@libp2p/interface";
import { multiaddr } from "@multiformats/multiaddr";
import { PeerAccess } from "../src/access.js";
import { Redialer } from "../src/redial.js";
import { FakeClock, peerIds, RecordingLogger, waitFor } from "./helpers.js";

const PARAMS = { minDelayMs: 2, maxDelayMs: 10, dialTimeoutMs: 1000 };

/** A node whose dials fail until `succeedAfter` attempts, then connect. */
function fakeNode(succeedAfter: number) {
  const state = { dials: 0, connected: false };
  return {
    state,
    components: {
      dial: async () => {
        state.dials += 1;
        if (state.dials <= succeedAfter) throw new Error("connection refused");
        state.connected = true;
      },
      isConnected: (_peer: PeerId) => state.connected,
    },
  };
}

describe("redialer", () => {
  it("keeps dialling with backoff past any retry count, and stops once connected", async () => {
    const [self, peer] = await peerIds(2);
    const node = fakeNode(12);
    const log = new RecordingLogger();
    const r = new Redialer(node.components, new PeerAccess(self!, [peer!], Date.now), PARAMS, log);
    r.add({ peerId: peer!, addrs: [multiaddr(`/ip4/127.0.0.1/tcp/1/p2p/${peer}`)] });
    r.start();
    try {
      await waitFor(() => node.state.connected, "connected after 12 failures");
      assert.equal(node.state.dials, 13);
      const delays = log.lines.filter((l) => l.msg === "dial failed").map((l) => l.fields.delayMs as number);
      assert.equal(delays.length, 12);
      assert.ok(
        delays.every((d) => d >= 1 && d <= PARAMS.maxDelayMs),
        `bounded: ${delays}`,
      );
    } finally {
      r.stop();
    }
  });

  it("does not dial a refused peer, and dials it once allowed again", async () => {
    const [self, peer] = await peerIds(2);
    const clock = new FakeClock();
    const access = new PeerAccess(self!, [peer!], clock.now);
    access.ban(peer!, clock.ms + 1000);
    const node = fakeNode(0);
    const r = new Redialer(node.components, access, { ...PARAMS, maxDelayMs: 5 }, new RecordingLogger());
    r.add({ peerId: peer!, addrs: [multiaddr(`/ip4/127.0.0.1/tcp/1/p2p/${peer}`)] });
    r.start();
    try {
      // Let it check many times while banned (it rechecks every maxDelayMs): each check declines without dialling.
      for (let i = 0; i < 5; i++) {
        r.kick();
        await new Promise((resolve) => setTimeout(resolve, 8));
      }
      assert.equal(node.state.dials, 0);
      clock.advance(1000);
      r.kick();
      await waitFor(() => node.state.connected, "dialled after the ban");
      assert.equal(node.state.dials, 1);
    } finally {
      r.stop();
    }
  });
});
