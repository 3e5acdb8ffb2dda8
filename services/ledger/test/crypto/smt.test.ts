import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  createHasher,
  type Hasher,
  merkleProof,
  merkleProofs,
  merkleRoot,
  merkleRootFromProof,
  SMT_EMPTY,
  SparseMerkleTree,
  verifySmtProof,
} from "../../src/index.js";

const h = createHasher("sha256");
const key = (n: number) => new Uint8Array(createHash("sha256").update(`k${n}`).digest());
const val = (n: number) => new Uint8Array(createHash("sha256").update(`v${n}`).digest());

function bit(k: Uint8Array, d: number): number {
  return ((k[d >> 3] as number) >> (7 - (d & 7))) & 1;
}

/** The recursive definition from the spec, written independently of the tree. */
function referenceRoot(hs: Hasher, entries: [Uint8Array, Uint8Array][], depth = 0): Uint8Array {
  if (entries.length === 0) return SMT_EMPTY;
  if (entries.length === 1) return hs.hash("smt.leaf", entries[0]![0], entries[0]![1]);
  const left = entries.filter(([k]) => bit(k, depth) === 0);
  const right = entries.filter(([k]) => bit(k, depth) === 1);
  return hs.hash("smt.node", referenceRoot(hs, left, depth + 1), referenceRoot(hs, right, depth + 1));
}

/** RFC 6962 §2.1 recursive Merkle tree hash with Coken's tags. */
function referenceMerkle(items: Uint8Array[]): Uint8Array {
  if (items.length === 0) return h.hash("merkle.empty");
  if (items.length === 1) return h.hash("merkle.leaf", items[0]!);
  let k = 1;
  while (k * 2 < items.length) k *= 2;
  return h.hash("merkle.node", referenceMerkle(items.slice(0, k)), referenceMerkle(items.slice(k)));
}

describe("sparse Merkle tree", () => {
  it("has the root of the recursive definition, whatever the order of inserts and deletes", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 5 }), fc.boolean()), {
          maxLength: 80,
        }),
        (ops) => {
          const tree = new SparseMerkleTree(h);
          const model = new Map<number, number>();
          for (const [k, v, del] of ops) {
            if (del) {
              tree.delete(key(k));
              model.delete(k);
            } else {
              tree.set(key(k), val(v));
              model.set(k, v);
            }
          }
          const entries = [...model].map(([k, v]) => [key(k), val(v)] as [Uint8Array, Uint8Array]);
          assert.deepEqual(tree.rootHash(), referenceRoot(h, entries));
        },
      ),
      { numRuns: 200 },
    );
  });

  it("proves membership and non-membership, and refuses wrong values", () => {
    const tree = new SparseMerkleTree(h);
    for (let i = 0; i < 100; i++) tree.set(key(i), val(i));
    const root = tree.rootHash();
    for (let i = 0; i < 100; i += 7) {
      const proof = tree.prove(key(i));
      assert.ok(verifySmtProof(h, root, key(i), val(i), proof));
      assert.ok(!verifySmtProof(h, root, key(i), val(i + 1), proof));
      assert.ok(!verifySmtProof(h, root, key(i), null, proof));
    }
    for (let i = 100; i < 130; i++) {
      const proof = tree.prove(key(i));
      assert.ok(verifySmtProof(h, root, key(i), null, proof));
      assert.ok(!verifySmtProof(h, root, key(i), val(i), proof));
    }
    assert.ok(verifySmtProof(h, SMT_EMPTY, key(1), null, new SparseMerkleTree(h).prove(key(1))));
  });
});

describe("list Merkle tree", () => {
  it("matches the RFC 6962 shape and its proofs verify", () => {
    for (let n = 0; n <= 33; n++) {
      const items = Array.from({ length: n }, (_, i) => val(i));
      const root = merkleRoot(h, items);
      assert.deepEqual(root, referenceMerkle(items));
      for (let i = 0; i < n; i++) {
        const proof = merkleProof(h, items, i);
        assert.deepEqual(merkleRootFromProof(h, items[i]!, proof), root);
        assert.notDeepEqual(merkleRootFromProof(h, val(999), proof), root);
        // The proof fixes the position: the same siblings claimed for another index do not verify.
        if (n > 1)
          assert.notDeepEqual(merkleRootFromProof(h, items[i]!, { ...proof, index: (i + 1) % n }), root);
      }
      // All proofs at once: the same root and the same proofs as one at a time.
      const all = merkleProofs(h, items);
      assert.deepEqual(all.root, root);
      assert.deepEqual(
        all.proofs,
        items.map((_, i) => merkleProof(h, items, i)),
      );
    }
  });
});
