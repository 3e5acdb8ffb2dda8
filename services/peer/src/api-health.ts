/** Why a peer is not ready to serve: stable codes for probes and operators. */
export type NotReadyReason = "STORE_UNAVAILABLE" | "NO_PEERS" | "CONSENSUS_HALTED" | "NO_BLOCKS";

/** What readiness is judged from, read from the running peer. */
export interface ReadinessFacts {
  /** A trivial store read succeeded just now. */
  storeOk: boolean;
  /** Connected libp2p peers. */
  peers: number;
  /** This agency is the whole validator set (it needs nobody to commit). */
  soleValidator: boolean;
  halted: boolean;
  height: number;
}

export type Readiness = { ready: true } | { ready: false; reasons: NotReadyReason[] };

/**
 * Ready: the store answers, consensus runs, and the peer either reaches another peer or needs none (the sole
 * validator); at height 0 it must be connected (waiting for or syncing the first block), since a sole validator
 * with no block yet has not shown it can commit.
 */
export function readiness(f: ReadinessFacts): Readiness {
  const reasons: NotReadyReason[] = [];
  if (!f.storeOk) reasons.push("STORE_UNAVAILABLE");
  if (f.halted) reasons.push("CONSENSUS_HALTED");
  if (f.peers === 0 && !f.soleValidator) reasons.push("NO_PEERS");
  if (f.height === 0 && f.peers === 0 && f.soleValidator) reasons.push("NO_BLOCKS");
  return reasons.length === 0 ? { ready: true } : { ready: false, reasons };
}
