import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  decodeBlockHeader,
  decodeCommitCertificate,
  derivedId,
  keys,
  type Ledger,
  parseGenesis,
  type TxBody,
  toHex,
  validatorsHash,
} from "@coken/ledger";
import type { DriverOptions } from "../src/driver.js";
import { AGENCIES, genesisDoc, signerOf } from "./fixtures.js";
import {
  bootValidator,
  type Incarnation,
  InProcHub,
  makeStores,
  shutdown,
  signedBy,
  type TestStore,
  waitUntil,
} from "./inproc.js";

/*
 * A governance validators.set on five in-process peers (four genesis validators and a newcomer holding the
 * validator role, running with its key): executed in block e, it takes effect at e + 2. The new set drops gz.tax and
 * the regulator and adds the newcomer; once it is in force the two dropped peers stop, leaving two of the four
 * genesis validators, which alone could decide nothing, and the chain commits on with the newcomer signing.
 */

const NEWCOMER = "sz.courts";
const [OWNER, ASKER, TAX, REGULATOR] = AGENCIES as [string, string, string, string];
const NEW_SET = [
  { agency: ASKER, power: 10 },
  { agency: OWNER, power: 10 },
  { agency: NEWCOMER, power: 10 },
];
const BOUND_MS = 20_000;

const DRIVER: DriverOptions = {
  timeouts: {
    proposeMs: 150,
    proposeDeltaMs: 50,
    prevoteMs: 80,
    prevoteDeltaMs: 40,
    precommitMs: 80,
    precommitDeltaMs: 40,
  },
  commitDelayMs: 10,
  regossipMs: 500,
  maxBlockTxs: 100,
  maxBlockBytes: 1 << 20,
};

function genesis() {
  const doc = genesisDoc();
  (doc.agencies as Record<string, unknown>[]).push({
    id: NEWCOMER,
    name: NEWCOMER,
    region: "CN",
    publicKey: toHex(signerOf(NEWCOMER).publicKey),
    roles: ["validator", "member"],
    balance: "1000",
  });
  return parseGenesis(doc);
}

const tx = (ledger: Ledger, sender: string, kind: string, payload: unknown) =>
  ledger.signTx(signerOf(sender), {
    chain: ledger.head.chain,
    kind,
    sender,
    seq: ledger.state.get(keys.account(sender))?.seq ?? 0,
    payload,
  } as TxBody);

describe("peer: a governance validator-set change", () => {
  let stores: TestStore[];
  before(async () => {
    stores = await makeStores(5);
  });
  after(async () => {
    for (const s of stores ?? []) await s.store.close();
  });

  it("takes effect at h + 2, the newcomer signs from then on, and the chain commits without the removed", async () => {
    const hub = new InProcHub();
    const chainGenesis = genesis();
    const names = [...AGENCIES, NEWCOMER];
    const nodes = new Map<string, Incarnation>();
    const running = () => [...nodes.values()];
    const heads = () => running().map((n) => `${n.agency}@${n.chain.ledger.head.height}`);
    try {
      for (const [i, agency] of names.entries()) {
        const node = await bootValidator({
          agency,
          identity: { agency, signer: signerOf(agency) },
          store: (stores[i] as TestStore).store,
          hub,
          genesis: chainGenesis,
          driver: DRIVER,
          countHeight: Number.MAX_SAFE_INTEGER,
        });
        nodes.set(agency, node);
      }
      const owner = nodes.get(OWNER) as Incarnation;
      const ledger = owner.chain.ledger;
      const client = hub.connect("client");
      const reach = (height: number, among = running()) =>
        waitUntil(
          `height ${height}`,
          () => among.every((n) => n.chain.ledger.head.height >= height),
          () => heads().join(" "),
          BOUND_MS,
        );
      await reach(1);

      // The proposal first (the votes name it), then the two approvals that pass it: 30 of 40.
      const proposal = derivedId(
        ledger.hasher,
        "proposal",
        OWNER,
        ledger.state.get(keys.account(OWNER))?.seq ?? 0,
      );
      const action = { type: "validators.set", validators: NEW_SET };
      await client.publish("txs", tx(ledger, OWNER, "governance.propose", { action }));
      const status = () => ledger.state.get(keys.proposal(proposal))?.status;
      await waitUntil(
        "the proposal",
        () => status() !== undefined,
        () => heads().join(" "),
        BOUND_MS,
      );
      for (const voter of [ASKER, TAX])
        await client.publish("txs", tx(ledger, voter, "governance.vote", { proposal, approve: true }));
      await waitUntil(
        "the change",
        () => status() === "executed",
        () => `${status()}`,
        BOUND_MS,
      );
      const e = ledger.state.get(keys.proposal(proposal))?.closedAt as number;

      // Once every peer has the new set in force, the two removed ones stop; the three others go on.
      await reach(e + 2);
      for (const gone of [TAX, REGULATOR]) {
        await shutdown(nodes.get(gone) as Incarnation);
        nodes.delete(gone);
      }
      await reach(e + 6);

      const store = (stores[0] as TestStore).store;
      const h = ledger.hasher;
      const oldHash = toHex(validatorsHash(h, chainGenesis.validators));
      const newHash = toHex(validatorsHash(h, NEW_SET));
      for (let height = 1; height <= e + 5; height++) {
        const stored = await store.ledger.getBlock(height);
        assert.ok(stored?.commit, `block ${height}`);
        const header = decodeBlockHeader(stored.header);
        const signers = decodeCommitCertificate(stored.commit).signatures.map((s) => s.validator);
        const inForce = height <= e + 1 ? oldHash : newHash;
        assert.equal(toHex(header.validatorsHash), inForce, `set named by block ${height}`);
        if (height <= e + 1) assert.ok(!signers.includes(NEWCOMER), `block ${height} signed by ${signers}`);
        else assert.deepEqual(signers, [ASKER, OWNER, NEWCOMER].sort(), `block ${height}`);
      }
      // The newcomer voted from e + 2 on and never before; the regulator never after e + 1.
      const heightsVoted = (agency: string) => signedBy(hub.published, agency).votes.map((v) => v.height);
      assert.ok(heightsVoted(NEWCOMER).length > 0);
      assert.ok(Math.min(...heightsVoted(NEWCOMER)) === e + 2, `newcomer voted at ${heightsVoted(NEWCOMER)}`);
      assert.ok(
        Math.max(...heightsVoted(REGULATOR)) <= e + 1,
        `regulator voted at ${heightsVoted(REGULATOR)}`,
      );
      for (const n of running()) assert.equal(n.driver.halted, null, `${n.agency} halted`);
    } finally {
      for (const n of running()) await shutdown(n);
      hub.close();
    }
  });
});
