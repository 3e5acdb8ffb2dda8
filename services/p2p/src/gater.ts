import type { ConnectionGater, PeerId } from "@libp2p/interface";
import type { Multiaddr } from "@multiformats/multiaddr";
import type { PeerAccess } from "./access.js";
import { peerIdOf } from "./config.js";
import type { NetworkLogger } from "./log.js";

/**
 * A libp2p connection gater that refuses every peer `access` refuses, at the earliest hook that knows the
 * peer: before dialling (by peer id, or by the /p2p/ part of the address) and, inbound, right after the
 * noise handshake proves the remote's identity, before any muxer or protocol runs. Relaying is refused.
 */
export function allowListGater(access: PeerAccess, log: NetworkLogger): ConnectionGater {
  const deny = (peer: PeerId, hook: string): boolean => {
    const reason = access.refusal(peer);
    if (reason === undefined) return false;
    log.debug("connection refused", { peer: peer.toString(), reason, hook });
    return true;
  };
  const denyAddr = (addr: Multiaddr, hook: string): boolean => {
    let peer: PeerId | undefined;
    try {
      peer = peerIdOf(addr);
    } catch {
      return true; // a /p2p/ part that is not an Ed25519 peer id can never be allow-listed
    }
    // Without a /p2p/ part the identity is checked after the handshake (denyOutboundEncryptedConnection).
    return peer !== undefined && deny(peer, hook);
  };
  return {
    denyDialPeer: (peer) => deny(peer, "dial-peer"),
    denyDialMultiaddr: (addr) => denyAddr(addr, "dial-multiaddr"),
    denyOutboundConnection: (peer) => deny(peer, "outbound"),
    denyInboundEncryptedConnection: (peer) => deny(peer, "inbound-encrypted"),
    denyOutboundEncryptedConnection: (peer) => deny(peer, "outbound-encrypted"),
    denyInboundUpgradedConnection: (peer) => deny(peer, "inbound-upgraded"),
    denyOutboundUpgradedConnection: (peer) => deny(peer, "outbound-upgraded"),
    denyInboundRelayReservation: () => true,
    denyOutboundRelayedConnection: () => true,
    denyInboundRelayedConnection: () => true,
    filterMultiaddrForPeer: (peer) => access.isAllowed(peer),
  };
}
