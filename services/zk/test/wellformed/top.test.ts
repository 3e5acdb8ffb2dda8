import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildQuadTree } from "../../src/commitment/quadtree.js";
import { topFromBlocks } from "../../src/wellformed/verify.js";

describe("the verifier's tree tops from chunk block roots", () => {
  it("equal the tree built from the same leaves, across the pauses of the stepped build", () => {
    // 4,000 leaves at depth 14: the first level alone is 1,000 hashes, several pauses of the stepped build
    const leaves = Array.from({ length: 4000 }, (_, i) => BigInt(i * 7919 + 1));
    assert.deepEqual(topFromBlocks(14, 0, leaves), buildQuadTree(14, leaves).top);
    // blocks of 16 leaves (two levels) stand for the leaves under them
    const blocks = Array.from(
      { length: 250 },
      (_, b) => buildQuadTree(4, leaves.slice(b * 16, b * 16 + 16)).root,
    );
    assert.deepEqual(topFromBlocks(14, 2, blocks), buildQuadTree(14, leaves).top);
  });
});
