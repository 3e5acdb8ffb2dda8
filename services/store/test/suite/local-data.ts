import assert from "node:assert/strict";
import { test } from "node:test";
import type { LocalRow } from "../../src/index.js";
import { type CurrentStore, rejectsWith } from "./context.js";

export function localDataTests(store: CurrentStore): void {
  test("rows are upserted, listed by key, counted and erased per dataset", async () => {
    const { localData } = store();
    const rows = Array.from({ length: 25 }, (_, i) => ({
      key: `person-${String(i).padStart(3, "0")}`,
      fields: { name: `Name ${i}`, age: 20 + i, tags: ["a", i], nested: { ok: i % 2 === 0, none: null } },
    }));
    await localData.upsertRows("citizens", rows, 1000);
    await localData.upsertRows("vehicles", [{ key: "person-000", fields: { plate: "X-1" } }], 1000);
    await localData.upsertRows(
      "citizens",
      [
        { key: "person-003", fields: { name: "first" } },
        { key: "person-003", fields: { name: "Renamed" } },
      ],
      2000,
    );

    assert.equal(await localData.countRows("citizens"), 25);
    assert.equal(await localData.countRows("vehicles"), 1);
    assert.equal(await localData.countRows("nothing"), 0);
    assert.deepEqual(await localData.getRow("citizens", "person-003"), {
      key: "person-003",
      fields: { name: "Renamed" },
      updatedMs: 2000,
    });
    assert.deepEqual(await localData.getRow("citizens", "person-004"), { ...rows[4], updatedMs: 1000 });
    const some = await localData.getRows("citizens", ["person-004", "missing", "person-003", "person-004"]);
    assert.deepEqual(
      some.sort((a, b) => a.key.localeCompare(b.key)),
      [
        { key: "person-003", fields: { name: "Renamed" }, updatedMs: 2000 },
        { ...rows[4], updatedMs: 1000 },
      ],
    );
    assert.deepEqual(await localData.getRows("vehicles", ["person-003"]), []);

    const listed: LocalRow[] = [];
    let after: string | undefined;
    do {
      const page = await localData.listRows(
        "citizens",
        after === undefined ? { limit: 10 } : { after, limit: 10 },
      );
      listed.push(...page.rows);
      after = page.next ?? undefined;
    } while (after !== undefined);
    assert.deepEqual(
      listed.map((r) => r.key),
      rows.map((r) => r.key),
    );

    assert.equal(await localData.deleteRow("citizens", "person-010"), true);
    assert.equal(await localData.deleteRow("citizens", "person-010"), false);
    assert.equal(await localData.getRow("citizens", "person-010"), null);
    assert.equal(await localData.countRows("citizens"), 24);
    assert.deepEqual(await localData.getRow("vehicles", "person-000"), {
      key: "person-000",
      fields: { plate: "X-1" },
      updatedMs: 1000,
    });
  });

  test("a large upsert spans several statements atomically", async () => {
    const { localData } = store();
    const rows = Array.from({ length: 4500 }, (_, i) => ({
      key: `k${String(i).padStart(5, "0")}`,
      fields: { i },
    }));
    await localData.upsertRows("bulk", rows, 1);
    assert.equal(await localData.countRows("bulk"), 4500);
    const last = await localData.listRows("bulk", { after: "k04498", limit: 5 });
    assert.deepEqual(last, { rows: [{ key: "k04499", fields: { i: 4499 }, updatedMs: 1 }], next: null });
  });

  test("invalid local-data arguments are rejected", async () => {
    const { localData } = store();
    await rejectsWith(localData.upsertRows("", [{ key: "k", fields: {} }], 1), "INVALID_ARGUMENT");
    await rejectsWith(localData.upsertRows("d", [{ key: "", fields: {} }], 1), "INVALID_ARGUMENT");
    await rejectsWith(localData.upsertRows("d", [{ key: "k", fields: { n: 1n } }], 1), "INVALID_ARGUMENT");
    const notAnObject = [1, 2] as unknown as Record<string, unknown>;
    await rejectsWith(localData.upsertRows("d", [{ key: "k", fields: notAnObject }], 1), "INVALID_ARGUMENT");
    await rejectsWith(localData.upsertRows("d", [{ key: "k", fields: {} }], -5), "INVALID_ARGUMENT");
    await rejectsWith(localData.listRows("d", { limit: 0 }), "INVALID_ARGUMENT");
    await rejectsWith(localData.getRow("d", ""), "INVALID_ARGUMENT");
    await rejectsWith(localData.getRows("d", []), "INVALID_ARGUMENT");
    await rejectsWith(localData.getRows("d", ["k", ""]), "INVALID_ARGUMENT");
    await rejectsWith(
      localData.getRows(
        "d",
        Array.from({ length: 1001 }, (_, i) => `k${i}`),
      ),
      "INVALID_ARGUMENT",
    );
    assert.equal(await localData.countRows("d"), 0);
  });

  test("well-formedness evidence is kept per dataset and commitment root, and replaced", async () => {
    const { localData } = store();
    const root = new Uint8Array(32).fill(7);
    assert.equal(await localData.getWellFormedEvidence("parcels", root), null);
    await localData.putWellFormedEvidence(
      "parcels",
      root,
      { circuit: "wellformed-f5-i2-r1", chunks: [] },
      10,
    );
    await localData.putWellFormedEvidence(
      "parcels",
      root,
      { circuit: "wellformed-f5-i2-r4", chunks: [1] },
      20,
    );
    assert.deepEqual(await localData.getWellFormedEvidence("parcels", root), {
      circuit: "wellformed-f5-i2-r4",
      chunks: [1],
    });
    assert.equal(await localData.getWellFormedEvidence("parcels", new Uint8Array(32)), null);
    assert.equal(await localData.getWellFormedEvidence("vehicles", root), null);
    await rejectsWith(localData.putWellFormedEvidence("parcels", root, "text", 1), "INVALID_ARGUMENT");
  });

  test("chunk proofs of an evidence being proved are kept per commitment, circuit and key, and dropped", async () => {
    const { localData } = store();
    const root = new Uint8Array(32).fill(7);
    const newer = new Uint8Array(32).fill(8);
    const [circuit, hash] = ["wellformed-f5-i2-r16", "ab".repeat(32)];
    const value = (k: number) => ({ publicSignals: [String(k), "1"], proof: { pi_a: [`${k}`, "2", "1"] } });
    // 1,203 chunks: listing reads them a page of 1,000 at a time
    for (let k = 1202; k >= 0; k -= 1)
      await localData.putWellFormedChunk("parcels", root, circuit, hash, k, value(k), 10);
    await localData.putWellFormedChunk("parcels", root, circuit, hash, 5, value(50), 20);
    await localData.putWellFormedChunk("parcels", root, "wellformed-f5-i2-r4", hash, 0, value(0), 10);
    await localData.putWellFormedChunk("parcels", root, circuit, "cd".repeat(32), 0, value(0), 10);
    await localData.putWellFormedChunk("parcels", newer, circuit, hash, 0, value(0), 10);
    await localData.putWellFormedChunk("vehicles", root, circuit, hash, 0, value(0), 10);

    const listed = await localData.listWellFormedChunks("parcels", root, circuit, hash);
    assert.deepEqual(
      listed.map((c) => c.chunk),
      Array.from({ length: 1203 }, (_, k) => k),
    );
    assert.deepEqual(listed[4], { chunk: 4, value: value(4), createdMs: 10 });
    assert.deepEqual(listed[5], { chunk: 5, value: value(50), createdMs: 20 }, "put again: replaced");
    assert.deepEqual(await localData.listWellFormedChunks("parcels", newer, circuit, "ef".repeat(32)), []);

    // another commitment comes into force: the older roots' chunks go, its own stay
    assert.equal(await localData.deleteWellFormedChunks("parcels", newer), 1205);
    assert.deepEqual(await localData.listWellFormedChunks("parcels", root, circuit, hash), []);
    assert.equal((await localData.listWellFormedChunks("parcels", newer, circuit, hash)).length, 1);
    // its evidence is kept: all of the dataset's chunks go, other datasets' stay
    assert.equal(await localData.deleteWellFormedChunks("parcels"), 1);
    assert.equal(await localData.deleteWellFormedChunks("parcels"), 0);
    assert.equal((await localData.listWellFormedChunks("vehicles", root, circuit, hash)).length, 1);

    const put = (
      over: Partial<{ d: string; r: unknown; c: string; h: string; k: number; v: unknown; t: number }>,
    ) =>
      localData.putWellFormedChunk(
        over.d ?? "parcels",
        (over.r ?? root) as Uint8Array,
        over.c ?? circuit,
        over.h ?? hash,
        over.k ?? 0,
        (over.v ?? value(0)) as ReturnType<typeof value>,
        over.t ?? 1,
      );
    for (const bad of [
      { d: "" },
      { r: "root" },
      { c: "" },
      { h: "" },
      { k: -1 },
      { k: 1.5 },
      { k: 2 ** 31 },
      { t: -1 },
      { v: "text" },
      { v: { publicSignals: [1], proof: {} } },
      { v: { publicSignals: ["1"], proof: [] } },
      { v: { publicSignals: ["1"], proof: { n: 1n } } },
      { v: { publicSignals: "1", proof: {} } },
    ])
      await rejectsWith(put(bad), "INVALID_ARGUMENT");
    await rejectsWith(localData.listWellFormedChunks("parcels", root, "", hash), "INVALID_ARGUMENT");
    await rejectsWith(localData.listWellFormedChunks("parcels", root, circuit, ""), "INVALID_ARGUMENT");
    await rejectsWith(localData.deleteWellFormedChunks(""), "INVALID_ARGUMENT");
    const notBytes = "root" as unknown as Uint8Array;
    await rejectsWith(localData.deleteWellFormedChunks("parcels", notBytes), "INVALID_ARGUMENT");
  });

  test("threshold queries are taken up to the cap per grant, dataset and record key, concurrently too", async () => {
    const gateway = store().gateway;
    assert.ok(gateway);
    const takes = await Promise.all(
      Array.from({ length: 5 }, () => gateway.takeThresholdQuery("g1", "parcels", "parcel-1", 3)),
    );
    assert.equal(takes.filter(Boolean).length, 3);
    assert.equal(await gateway.takeThresholdQuery("g1", "parcels", "parcel-1", 3), false);
    assert.equal(await gateway.takeThresholdQuery("g1", "parcels", "parcel-1", 4), true);
    assert.equal(await gateway.takeThresholdQuery("g1", "parcels", "parcel-2", 1), true);
    assert.equal(await gateway.takeThresholdQuery("g2", "parcels", "parcel-1", 1), true);
    assert.equal(await gateway.takeThresholdQuery("g2", "parcels", "parcel-9", 0), false);
  });
}
