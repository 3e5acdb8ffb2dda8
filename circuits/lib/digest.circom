pragma circom 2.1.0;

include "poseidon.circom";

// Digest of a row's n ≥ 1 encoded field values: Poseidon(values) up to 16, else Poseidon over the Poseidon of
// each chunk of 16 (the last shorter). Same as valuesDigest in the commitment code.
template ValuesDigest(n) {
    assert(n >= 1 && n <= 224);
    signal input values[n];
    signal output out;

    if (n <= 16) {
        component h = Poseidon(n);
        h.inputs <== values;
        out <== h.out;
    } else {
        var chunks = (n + 15) \ 16;
        component part[chunks];
        component top = Poseidon(chunks);
        for (var c = 0; c < chunks; c++) {
            var size = c == chunks - 1 ? n - 16 * c : 16;
            part[c] = Poseidon(size);
            for (var i = 0; i < size; i++) {
                part[c].inputs[i] <== values[16 * c + i];
            }
            top.inputs[c] <== part[c].out;
        }
        out <== top.out;
    }
}

// Leaf of the row tree: Poseidon(key, nextKey, digest).
template RowLeaf(n) {
    signal input key;
    signal input nextKey;
    signal input values[n];
    signal output out;

    component d = ValuesDigest(n);
    d.values <== values;
    out <== Poseidon(3)([key, nextKey, d.out]);
}

// Commitment root: Poseidon(r0, r1, r2, r3, x0, x1, x2, x3, meta) over the children of the row tree's top node
// and of the indexes tree's top node. One Poseidon(9) (417 constraints) in place of each tree's top level and a
// Poseidon(3) over the two roots (~565): both trees are opened in the circuits, never only their roots.
template CommitmentRoot() {
    signal input rowTop[4];
    signal input indexesTop[4];
    signal input meta;
    signal output root;

    root <== Poseidon(9)([
        rowTop[0], rowTop[1], rowTop[2], rowTop[3],
        indexesTop[0], indexesTop[1], indexesTop[2], indexesTop[3],
        meta
    ]);
}
