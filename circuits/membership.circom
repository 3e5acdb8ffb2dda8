pragma circom 2.1.0;

include "poseidon.circom";
include "comparators.circom";
include "bitify.circom";
include "lib/order.circom";
include "lib/quadmerkle.circom";
include "lib/digest.circom";
include "lib/predicate.circom";

// One committed row leaf (leafKey, nextKey) with leafKey ≤ key < nextKey: member = 1 when leafKey = key,
// else the key lies strictly between two adjacent committed keys and member = 0. Keys are 129-bit ordered
// elements; the chain leafKey ≤ key < nextKey has one range check per element (lib/order.circom).
// Public signals: member, root, requestHash, key.
template Membership(depth) {
    signal input root;
    signal input requestHash;
    signal input key;
    signal output member;

    signal input leafKey;
    signal input nextKey;
    signal input digest;
    signal input pathBits[depth];
    signal input siblings[depth \ 2][3];
    signal input indexesTop[4];
    signal input meta;

    signal leaf <== Poseidon(3)([leafKey, nextKey, digest]);
    component path = QuadMerkleTop(depth \ 2);
    path.leaf <== leaf;
    path.bits <== pathBits;
    path.siblings <== siblings;
    signal computedRoot <== CommitmentRoot()(path.children, indexesTop, meta);
    root === computedRoot;

    _ <== Num2Bits(129)(leafKey);
    AssertLessEq(129)(leafKey, key);
    AssertLess(129)(key, nextKey);
    member <== IsEqual()([leafKey, key]);
    Bind()(requestHash);
}
