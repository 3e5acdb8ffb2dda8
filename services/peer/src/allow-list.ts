import {
  type AgencyAdmission,
  type AgencyId,
  keys,
  recordKindOf,
  type StateReader,
  type StateRecord,
} from "@coken/ledger";
import { type Network, peerIdFromPublicKey } from "@coken/p2p";
import type { Logger } from "./log.js";

/** What the allow-list needs of an agency: the key its peer's libp2p identity comes from. */
export type AgencyKey = Pick<AgencyAdmission, "id" | "publicKey" | "keyScheme">;

const keyOf = (a: AgencyAdmission): AgencyKey => ({
  id: a.id,
  publicKey: a.publicKey,
  keyScheme: a.keyScheme,
});

/**
 * The agencies of a ledger state whose peers may connect, by id: every registered agency (genesis or admitted
 * since) and every admitted one not registered yet, whose peer has to follow the chain before it can register.
 * Pure.
 */
export function connectableAgencies(
  entries: Iterable<readonly [string, StateRecord]>,
): Map<AgencyId, AgencyKey> {
  const out = new Map<AgencyId, AgencyKey>();
  for (const [key, record] of entries) {
    const kind = recordKindOf(key);
    if (kind !== "agency" && kind !== "admission") continue;
    const agency = record as AgencyAdmission;
    // The ledger never holds both for one id (registering deletes the admission); the record wins if it did.
    if (kind === "admission" && out.has(agency.id)) continue;
    out.set(agency.id, keyOf(agency));
  }
  return out;
}

/** Ids of the agencies whose record or admission a block's writes touch: the only writes that move the list. Pure. */
export function agenciesWritten(writes: readonly { key: string }[]): AgencyId[] {
  const ids = new Set<AgencyId>();
  for (const { key } of writes) {
    const kind = recordKindOf(key);
    if (kind === "agency" || kind === "admission") ids.add(key.slice(kind.length + 1));
  }
  return [...ids];
}

/** `current` with the agencies `ids` read again from `state`; one with neither record nor admission left is dropped. Pure. */
export function rereadAgencies(
  current: ReadonlyMap<AgencyId, AgencyKey>,
  state: StateReader,
  ids: readonly AgencyId[],
): Map<AgencyId, AgencyKey> {
  const next = new Map(current);
  for (const id of ids) {
    const record = state.get(keys.agency(id)) ?? state.get(keys.admission(id));
    if (record === undefined) next.delete(id);
    else next.set(id, keyOf(record));
  }
  return next;
}

/**
 * The libp2p peer ids of `agencies`, sorted. A peer's libp2p key is its agency's Ed25519 key (from the keystore
 * seed), so an agency with another scheme or a key libp2p refuses has no peer to allow and is left out. Pure.
 */
export function allowListOf(agencies: Iterable<AgencyKey>): string[] {
  const ids: string[] = [];
  for (const a of agencies) {
    if (a.keyScheme !== "ed25519") continue;
    try {
      ids.push(peerIdFromPublicKey(a.publicKey).toString());
    } catch {
      // A small-order key: the ledger refuses it at admission, so only a hand-made genesis can hold one.
    }
  }
  return ids.sort();
}

export interface AllowListComponents {
  network: Pick<Network, "setAllowList">;
  state: StateReader;
  log: Logger;
}

/**
 * Keeps the network's allow-list equal to the agencies on the committed chain. Told of every committed block's
 * writes; a block that wrote no agency or admission record costs one pass over its write keys.
 */
export class AgencyAllowList {
  private peers: string[];

  constructor(
    private readonly c: AllowListComponents,
    private agencies: ReadonlyMap<AgencyId, AgencyKey>,
  ) {
    this.peers = allowListOf(agencies.values());
  }

  /** The peer ids allowed now. */
  get peerIds(): readonly string[] {
    return this.peers;
  }

  /** After a block is committed: re-reads the agencies it wrote and replaces the network's list if it changed. */
  afterCommit(writes: readonly { key: string }[]): void {
    const ids = agenciesWritten(writes);
    if (ids.length === 0) return;
    this.agencies = rereadAgencies(this.agencies, this.c.state, ids);
    const next = allowListOf(this.agencies.values());
    if (next.length === this.peers.length && next.every((p, i) => p === this.peers[i])) return;
    this.peers = next;
    this.c.network.setAllowList(next);
    this.c.log.info("allow-list updated", { agencies: ids, peers: next.length });
  }
}
