import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { multiaddr } from "@multiformats/multiaddr";
import { PeerAccess } from "../src/access.js";
import { allowListGater } from "../src/gater.js";
import { FakeClock, peerIds, RecordingLogger } from "./helpers.js";

describe("allow-list gater", () => {
  it("refuses peers outside the list at every hook, and banned peers until the cooldown ends", async () => {
    const [self, a, b, outsider] = await peerIds(4);
    const clock = new FakeClock();
    const access = new PeerAccess(self!, [self!, a!, b!], clock.now);
    const log = new RecordingLogger();
    const g = allowListGater(access, log);
    const conn = {} as never;
    assert.equal(await g.denyDialPeer?.(a!), false);
    assert.equal(await g.denyDialPeer?.(outsider!), true);
    assert.equal(await g.denyInboundEncryptedConnection?.(outsider!, conn), true);
    assert.equal(await g.denyOutboundEncryptedConnection?.(outsider!, conn), true);
    assert.equal(await g.denyDialMultiaddr?.(multiaddr(`/ip4/127.0.0.1/tcp/1/p2p/${outsider}`)), true);
    assert.equal(await g.denyDialMultiaddr?.(multiaddr(`/ip4/127.0.0.1/tcp/1/p2p/${a}`)), false);
    assert.equal(await g.denyDialMultiaddr?.(multiaddr("/ip4/127.0.0.1/tcp/1")), false); // checked after noise
    assert.equal(await g.denyInboundRelayReservation?.(a!), true);
    assert.equal(log.count("connection refused", { reason: "not-allowed" }), 4);

    access.ban(b!, clock.ms + 1000);
    assert.equal(await g.denyInboundEncryptedConnection?.(b!, conn), true);
    assert.equal(log.count("connection refused", { reason: "banned" }), 1);
    clock.advance(1000);
    assert.equal(await g.denyInboundEncryptedConnection?.(b!, conn), false);

    assert.deepEqual(access.setAllowList([self!, b!]), [a!.toString()]);
    assert.equal(await g.denyDialPeer?.(a!), true);
    assert.deepEqual(access.allowList(), [b!.toString()]);
  });
});
