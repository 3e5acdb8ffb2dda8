import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import {
  type AccessReceipt,
  createVerifier,
  derivedId,
  ed25519Signer,
  type Genesis,
  type Ledger,
  parseGenesis,
  type Signer,
  signReceiptBatch,
  type TxBody,
  toHex,
} from "@coken/ledger";
import { openStore, type Store, type StoreConfig, StoredLedger, StoreError } from "../src/index.js";
import { createScratchDatabase } from "./fixtures/pg-admin.js";

const OWNER = "sh.land-registry";
const ASKER = "bj.housing";
const T0 = Date.UTC(2026, 0, 1);
const signer = (id: string): Signer =>
  ed25519Signer(new Uint8Array(createHash("sha256").update(`store-test:${id}`).digest()));

function genesis(chainId = "coken-store-test"): Genesis {
  const agencies = [OWNER, ASKER].map((id) => ({
    id,
    name: id,
    region: "CN",
    publicKey: toHex(signer(id).publicKey),
    roles: ["validator", "member"],
  }));
  return parseGenesis({
    chainId,
    genesisTime: new Date(T0).toISOString(),
    agencies,
    validators: agencies.map((a) => ({ agency: a.id, power: 1 })),
  });
}

class Driver {
  time = T0;
  constructor(readonly stored: StoredLedger) {}
  get ledger(): Ledger {
    return this.stored.ledger;
  }
  tx(sender: string, seq: number, kind: TxBody["kind"], payload: unknown): Uint8Array {
    return this.ledger.signTx(signer(sender), {
      chain: this.ledger.head.chain,
      kind,
      sender,
      seq,
      payload,
    } as TxBody);
  }
  async commit(txs: Uint8Array[]): Promise<(string | null)[]> {
    this.time += 1000;
    const block = this.ledger.buildBlock({ txs, time: this.time, proposer: OWNER, lastCommit: null });
    return (await this.stored.apply(block)).outcome.txs.map((t) => t.code);
  }
  receipts(grant: string, n: number): AccessReceipt[] {
    return Array.from({ length: n }, () => ({
      grant,
      dataset: "sh/property",
      provider: OWNER,
      requester: ASKER,
      queryKind: "count" as const,
      requestHash: randomBytes(32),
      resultHash: randomBytes(32),
      proofHash: randomBytes(32),
      nonce: randomBytes(16),
      time: this.time,
    }));
  }
  batch(rs: AccessReceipt[]) {
    const h = this.ledger.hasher;
    return {
      batches: [
        {
          requester: ASKER,
          receipts: rs,
          requesterSig: signReceiptBatch(h, signer(ASKER), OWNER, ASKER, rs),
          providerSig: signReceiptBatch(h, signer(OWNER), OWNER, ASKER, rs),
        },
      ],
    };
  }
}

function runChainSuite(label: string, config: () => Promise<StoreConfig>) {
  describe(`stored ledger on ${label}`, () => {
    it("persists every block, resumes at the same app hash and still refuses duplicate receipts", async () => {
      const cfg = await config();
      let store: Store = await openStore(cfg);
      let d = new Driver(await StoredLedger.open(store, genesis(), createVerifier()));
      assert.equal(d.ledger.head.height, 0);
      const publish = d.tx(OWNER, 0, "dataset.publish", {
        id: "sh/property",
        title: "Property",
        description: "",
        fields: [{ name: "ownerId", type: "string", indexed: true, personal: true }],
        region: "CN",
        tags: [],
        updateFrequency: "daily",
        licence: "x",
        queryKinds: ["count"],
        price: 1n,
        commitment: null,
      });
      const grant = derivedId(d.ledger.hasher, "grant", OWNER, 1);
      const issue = d.tx(OWNER, 1, "grant.issue", {
        dataset: "sh/property",
        grantee: ASKER,
        queryKinds: ["count"],
        fields: [],
        purpose: "test",
        quota: 100,
        expiresAt: T0 + 86_400_000,
      });
      assert.deepEqual(await d.commit([publish, issue]), [null, null]);
      const first = d.receipts(grant, 3);
      const record = d.tx(OWNER, 2, "access.record", d.batch(first));
      assert.deepEqual(await d.commit([record]), [null]);
      // A refused replay and two identical undecodable txs share ids with other rows; all are kept.
      const garbage = new Uint8Array([0xff]);
      assert.deepEqual(await d.commit([record, garbage, garbage]), [
        "BAD_SEQUENCE",
        "MALFORMED_TX",
        "MALFORMED_TX",
      ]);
      const head = d.ledger.head;
      await store.close();

      store = await openStore(cfg);
      try {
        d = new Driver(await StoredLedger.open(store, genesis(), createVerifier()));
        d.time = head.time;
        assert.equal(d.ledger.head.height, 3);
        assert.deepEqual(d.ledger.head.appHash, head.appHash);
        const again = d.tx(OWNER, 3, "access.record", d.batch([first[0] as AccessReceipt]));
        assert.deepEqual(await d.commit([again]), ["DUPLICATE_RECEIPT"]);
        const fresh = d.tx(OWNER, 3, "access.record", d.batch(d.receipts(grant, 1)));
        assert.deepEqual(await d.commit([fresh]), [null]);
        const page = await store.ledger.queryReceipts({ requester: ASKER, limit: 100 });
        assert.equal(page.receipts.length, 4);
        const block3 = await store.ledger.getBlock(3);
        assert.deepEqual(
          block3?.txs.map((t) => t.resultCode),
          ["BAD_SEQUENCE", "MALFORMED_TX", "MALFORMED_TX"],
        );
        const applied = await store.ledger.getTx(block3?.txs[0]?.hash as Uint8Array);
        assert.equal(applied?.height, 2);
        assert.equal(applied?.resultCode, null);
        await assert.rejects(
          StoredLedger.open(store, genesis("another-chain"), createVerifier()),
          StoreError,
        );
      } finally {
        await store.close();
      }
    });
  });
}

const dirs: string[] = [];
const databases: { drop(): Promise<void> }[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  for (const db of databases) await db.drop();
});

runChainSuite("PGlite", async () => {
  const dataDir = await mkdtemp(join(tmpdir(), "coken-chain-"));
  dirs.push(dataDir);
  return { kind: "pglite", dataDir };
});

runChainSuite("PostgreSQL", async () => {
  const db = await createScratchDatabase("coken_chain");
  databases.push(db);
  return { kind: "postgres", url: db.url };
});
