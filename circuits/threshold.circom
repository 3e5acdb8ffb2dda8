pragma circom 2.1.0;

include "poseidon.circom";
include "lib/quadmerkle.circom";
include "lib/digest.circom";
include "lib/predicate.circom";

// The row with key `key` is committed under `root`, and its field in `slot` passes the predicate
// (range mode: lo ≤ value ≤ hi over 64-bit encodings; equality mode: value = lo). holds = 1 or 0.
// Public signals: holds, root, requestHash, key, slot, useRange, useEq, lo, hi.
template Threshold(depth, nFields) {
    signal input root;
    signal input requestHash;
    signal input key;
    signal input slot;
    signal input useRange;
    signal input useEq;
    signal input lo;
    signal input hi;
    signal output holds;

    signal input nextKey;
    signal input values[nFields];
    signal input pathBits[depth];
    signal input siblings[depth \ 2][3];
    signal input indexesTop[4];
    signal input meta;

    component leaf = RowLeaf(nFields);
    leaf.key <== key;
    leaf.nextKey <== nextKey;
    leaf.values <== values;
    component path = QuadMerkleTop(depth \ 2);
    path.leaf <== leaf.out;
    path.bits <== pathBits;
    path.siblings <== siblings;
    signal computedRoot <== CommitmentRoot()(path.children, indexesTop, meta);
    root === computedRoot;

    signal onehot[nFields] <== OneHot(nFields)(slot);
    signal value <== Dot(nFields)(onehot, values);
    component bounds = PredicateBounds(64);
    bounds.useRange <== useRange;
    bounds.useEq <== useEq;
    bounds.lo <== lo;
    bounds.hi <== hi;
    component test = PredicateHit(64);
    test.value <== value;
    test.useRange <== useRange;
    test.useEq <== useEq;
    test.lo <== lo;
    test.loRange <== bounds.loRange;
    test.hiRange <== bounds.hiRange;
    // equality or range mode, never neither: a threshold answer always tests something
    useRange + useEq === 1;
    holds <== test.hit;
    Bind()(requestHash);
}
