import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createHasher, type Dataset, ed25519Signer, keys } from "@coken/ledger";
import { openStore, type Store } from "@coken/store";
import { DatasetOpError, DatasetOps } from "../src/dataset-ops.js";

const SELF = "sh.land-registry";
const OWN = "sh.land/parcels";
const OTHERS = "bj.housing/permits";

const dataset = (id: string, owner: string): Dataset => ({
  id,
  title: id,
  description: "",
  fields: [
    { name: "owner", type: "string", indexed: true, personal: true },
    { name: "area", type: "decimal", indexed: false, personal: false },
    { name: "registered", type: "date", indexed: false, personal: false },
  ],
  region: "SH",
  tags: [],
  updateFrequency: "daily",
  licence: "government use",
  queryKinds: ["lookup", "threshold"],
  price: 0n,
  owner,
  commitment: null,
  commitmentVersion: 0,
  committedAt: null,
  publishedAt: 1,
  accessCount: 0,
});

const row = (key: string, fields: Record<string, unknown> = {}) => ({
  key,
  fields: { owner: "person-1", area: "80.5", registered: "2021-03-04", ...fields },
});

describe("dataset operations of the operator API", () => {
  let store: Store;
  let ops: DatasetOps;
  const state = new Map<string, unknown>([
    [keys.dataset(OWN), dataset(OWN, SELF)],
    [keys.dataset(OTHERS), dataset(OTHERS, "bj.housing")],
  ]);
  const ledger = { get: (key: string) => state.get(key) };
  const refusal = (code: string, message?: RegExp) => (e: unknown) =>
    e instanceof DatasetOpError && e.code === code && (message === undefined || message.test(e.message));

  before(async () => {
    store = await openStore({ kind: "pglite" });
    ops = new DatasetOps({
      self: SELF,
      ledger,
      store,
      tx: {
        self: SELF,
        chainId: "test",
        hasher: createHasher("sha256"),
        signer: ed25519Signer(new Uint8Array(32).fill(1)),
        ledger,
        submitTx: () => assert.fail("nothing is submitted by these operations"),
      },
      now: () => 1_700_000_000_000,
    });
  });
  after(() => store.close());

  it("stores rows that fit the published fields", async () => {
    assert.equal(await ops.importRows(OWN, [row("p-1"), row("p-2", { area: 120 })]), 2);
    assert.equal(await store.localData.countRows(OWN), 2);
  });

  it("refuses a batch with any bad row, naming the line and field, never the value, and stores none of it", async () => {
    const cases: [unknown, RegExp][] = [
      [{ key: "p-9", fields: { owner: "person-9", area: "1" } }, /row 2: field registered is missing/],
      [row("p-9", { colour: "crimson" }), /row 2: colour is not a field/],
      [row("p-9", { area: "eighty" }), /row 2: field area is not a valid decimal/],
      [row("p-9", { registered: "2021-13-40" }), /row 2: field registered is not a valid date/],
      [{ key: "", fields: {} }, /row 2: key must be a string/],
      ["not a row", /row 2: expected \{key, fields\}/],
    ];
    for (const [bad, message] of cases) {
      await assert.rejects(ops.importRows(OWN, [row("p-3"), bad]), refusal("BAD_ROWS", message));
      await assert.rejects(
        ops.importRows(OWN, [row("p-3"), bad]),
        (e: unknown) => !/eighty|crimson|2021-13/.test(String(e)),
      );
    }
    assert.equal(await store.localData.countRows(OWN), 2, "no refused batch left a row");
  });

  it("acts only on this agency's own datasets on the ledger", async () => {
    await assert.rejects(ops.importRows("sh.land/unknown", [row("p-1")]), refusal("NOT_FOUND"));
    await assert.rejects(ops.importRows(OTHERS, [row("p-1")]), refusal("FORBIDDEN"));
    await assert.rejects(ops.commit(OTHERS), refusal("FORBIDDEN"));
  });

  it("commits only datasets the zk configuration lays out", async () => {
    await assert.rejects(ops.commit(OWN), refusal("NOT_PROVED", /zk\.datasets/));
  });
});
