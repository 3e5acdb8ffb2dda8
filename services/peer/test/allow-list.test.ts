import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type AgencyAdmission,
  CommittedState,
  createHasher,
  derivedId,
  type Ledger,
  type TxBody,
} from "@coken/ledger";
import { peerIdFromPublicKey } from "@coken/p2p";
import {
  AgencyAllowList,
  agenciesWritten,
  allowListOf,
  connectableAgencies,
  rereadAgencies,
} from "../src/allow-list.js";
import { silentLogger } from "../src/log.js";
import { AGENCIES, commitNext, newLedger, signerOf, T0 } from "./fixtures.js";

const NEWCOMER = "gd.bank";
const peerOf = (agency: string) => peerIdFromPublicKey(signerOf(agency).publicKey).toString();
const sorted = (agencies: string[]) => agencies.map(peerOf).sort();

const admission: AgencyAdmission = {
  id: NEWCOMER,
  name: "Guangdong bank",
  region: "CN-GD",
  publicKey: signerOf(NEWCOMER).publicKey,
  keyScheme: "ed25519",
  roles: ["member"],
};

function tx(ledger: Ledger, sender: string, seq: number, kind: string, payload: unknown): Uint8Array {
  const body = { chain: ledger.head.chain, kind, sender, seq, payload } as TxBody;
  return ledger.signTx(signerOf(sender), body);
}

let time = T0;
function commit(ledger: Ledger, txs: Uint8Array[]) {
  time += 1000;
  return commitNext(ledger, { txs, time, proposer: "sh.land-registry" });
}

/** Admits NEWCOMER by three of the four validators' votes; returns the block's writes. */
function admit(ledger: Ledger) {
  const proposal = derivedId(ledger.hasher, "proposal", "sh.land-registry", 0);
  const { writes } = commit(ledger, [
    tx(ledger, "sh.land-registry", 0, "governance.propose", {
      action: { type: "agency.admit", agency: admission },
    }),
    tx(ledger, "bj.housing", 0, "governance.vote", { proposal, approve: true }),
    tx(ledger, "gz.tax", 0, "governance.vote", { proposal, approve: true }),
  ]);
  return writes;
}

describe("allow-list from ledger state", () => {
  it("holds the genesis agencies, then an admitted agency, which stays once it registers", () => {
    const ledger = newLedger();
    assert.deepEqual(allowListOf(connectableAgencies(ledger.state.entries()).values()), sorted(AGENCIES));

    const admitted = admit(ledger);
    assert.deepEqual(agenciesWritten(admitted), [NEWCOMER]);
    const afterAdmission = connectableAgencies(ledger.state.entries());
    assert.deepEqual(allowListOf(afterAdmission.values()), sorted([...AGENCIES, NEWCOMER]));

    const registered = commit(ledger, [tx(ledger, NEWCOMER, 0, "agency.register", {})]).writes;
    // The register tx deletes the admission and writes the record (and an account, which is not an agency key).
    assert.deepEqual(agenciesWritten(registered), [NEWCOMER]);
    const afterRegistration = connectableAgencies(ledger.state.entries());
    assert.deepEqual([...afterRegistration.keys()].sort(), [...AGENCIES, NEWCOMER].sort());
    assert.deepEqual(allowListOf(afterRegistration.values()), sorted([...AGENCIES, NEWCOMER]));
  });

  it("ignores blocks that write no agency and re-reads only the agencies a block wrote", () => {
    const ledger = newLedger();
    const transfer = commit(ledger, [
      tx(ledger, "regulator", 0, "credit.transfer", { to: "bj.housing", amount: 1n, memo: "" }),
    ]);
    assert.ok(transfer.writes.length > 0);
    assert.deepEqual(agenciesWritten(transfer.writes), []);
    assert.deepEqual(agenciesWritten([{ key: "account/gd.bank" }, { key: "agencyx/gd.bank" }]), []);

    // A record gone (the ledger has no removal yet) drops the agency; a changed key changes its peer id.
    const genesis = connectableAgencies(ledger.state.entries());
    const state = new CommittedState(createHasher("sha256"));
    const moved = { ...admission, id: "gz.tax", publicKey: signerOf("gz.tax-rotated").publicKey };
    state.commit({ writes: new Map([["agency/gz.tax", { ...moved, registeredAt: 3 }]]), receipts: [] });
    const next = rereadAgencies(genesis, state, ["gz.tax", "regulator"]);
    assert.deepEqual([...next.keys()].sort(), ["bj.housing", "gz.tax", "sh.land-registry"]);
    assert.deepEqual(
      allowListOf(next.values()),
      [peerOf("bj.housing"), peerOf("gz.tax-rotated"), peerOf("sh.land-registry")].sort(),
    );
    assert.equal(genesis.size, AGENCIES.length, "the input map is left as it was");
  });

  it("leaves out agencies whose key gives no libp2p identity", () => {
    const sm2 = { id: "sm2.agency", publicKey: new Uint8Array(65).fill(4), keyScheme: "sm2" as const };
    const weak = { id: "weak.agency", publicKey: new Uint8Array(32), keyScheme: "ed25519" as const };
    const good = { id: NEWCOMER, publicKey: admission.publicKey, keyScheme: "ed25519" as const };
    assert.deepEqual(allowListOf([sm2, weak, good]), [peerOf(NEWCOMER)]);
  });

  it("replaces the network's list only after a block that changed it", () => {
    const ledger = newLedger();
    const calls: (readonly string[])[] = [];
    const network = { setAllowList: (peers: readonly string[]) => void calls.push(peers) };
    const list = new AgencyAllowList(
      { network, state: ledger.state, log: silentLogger },
      connectableAgencies(ledger.state.entries()),
    );
    assert.deepEqual(list.peerIds, sorted(AGENCIES));

    list.afterCommit(
      commit(ledger, [
        tx(ledger, "regulator", 0, "credit.transfer", { to: "bj.housing", amount: 1n, memo: "" }),
      ]).writes,
    );
    assert.equal(calls.length, 0);

    list.afterCommit(admit(ledger));
    assert.deepEqual(calls, [sorted([...AGENCIES, NEWCOMER])]);

    // Registering rewrites the agency's records but not its key: the list, and the network, stay as they are.
    list.afterCommit(commit(ledger, [tx(ledger, NEWCOMER, 0, "agency.register", {})]).writes);
    assert.equal(calls.length, 1);
    assert.deepEqual(list.peerIds, sorted([...AGENCIES, NEWCOMER]));
  });
});
