import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { LocalRow } from "@coken/store";
import { groupedRowReads } from "../../src/provider/row-reads.js";

function source(rows: Record<string, Record<string, LocalRow>>) {
  const calls: { dataset: string; keys: string[] }[] = [];
  return {
    calls,
    async getRows(dataset: string, keys: string[]): Promise<LocalRow[]> {
      calls.push({ dataset, keys });
      if (keys.includes("")) throw new Error("bad key");
      return keys.flatMap((k) => (rows[dataset]?.[k] ? [rows[dataset][k]] : []));
    },
  };
}

const row = (key: string): LocalRow => ({ key, fields: { key }, updatedMs: 1 });

describe("grouped row reads", () => {
  it("lookups of one turn become one read per dataset; a key asked twice is read once", async () => {
    const src = source({ a: { k1: row("k1"), k2: row("k2") }, b: { k1: row("k1") } });
    const reader = groupedRowReads(src);
    const results = await Promise.all([
      reader.getRow("a", "k1"),
      reader.getRow("a", "k2"),
      reader.getRow("a", "k1"),
      reader.getRow("a", "missing"),
      reader.getRow("b", "k1"),
    ]);
    assert.deepEqual(results, [row("k1"), row("k2"), row("k1"), null, row("k1")]);
    assert.deepEqual(src.calls, [
      { dataset: "a", keys: ["k1", "k2", "missing"] },
      { dataset: "b", keys: ["k1"] },
    ]);
    // The next turn reads again (nothing is cached).
    assert.deepEqual(await reader.getRow("a", "k2"), row("k2"));
    assert.equal(src.calls.length, 3);
  });

  it("a failing key fails only its own lookups", async () => {
    const src = source({ a: { k1: row("k1") } });
    const reader = groupedRowReads(src);
    const [good, bad] = await Promise.allSettled([reader.getRow("a", "k1"), reader.getRow("a", "")]);
    assert.deepEqual(good, { status: "fulfilled", value: row("k1") });
    assert.equal(bad.status, "rejected");
  });
});
