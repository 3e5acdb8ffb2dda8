import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { zeroHash } from "../../src/commitment/quadtree.js";
import { circuitsDir } from "../../src/compile.js";

describe("circuit constants", () => {
  it("empty-subtree hashes in circuits/lib match the commitment code", async () => {
    const text = await readFile(join(circuitsDir(), "lib", "zero_hashes.circom"), "utf8");
    const numbers = [...text.matchAll(/^\s+(\d+),?$/gm)].map((m) => BigInt(m[1] ?? ""));
    assert.equal(numbers.length, 17);
    for (const [l, z] of numbers.entries()) assert.equal(z, zeroHash(l), `level ${l}`);
  });
});
