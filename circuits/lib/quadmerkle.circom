pragma circom 2.1.0;

include "poseidon.circom";

// One level of a 4-ary Poseidon Merkle path: places `cur` among its three siblings at the position given by
// two bits (least significant first) and hashes the four children.
template QuadLevel() {
    signal input cur;
    signal input bits[2];
    signal input siblings[3];
    signal output out;

    bits[0] * (bits[0] - 1) === 0;
    bits[1] * (bits[1] - 1) === 0;
    // one-hot position e0..e3 from the two bits
    signal e3 <== bits[0] * bits[1];
    signal e1 <== bits[0] - e3;
    signal e2 <== bits[1] - e3;
    signal e0 <== 1 - bits[0] - bits[1] + e3;

    signal a0 <== e0 * (cur - siblings[0]);
    signal a1 <== e0 * (siblings[0] - siblings[1]);
    signal b1 <== e1 * (cur - siblings[1]);
    signal a2 <== e2 * (cur - siblings[1]);
    signal b2 <== e3 * (siblings[2] - siblings[1]);
    signal a3 <== e3 * (cur - siblings[2]);

    component h = Poseidon(4);
    h.inputs[0] <== siblings[0] + a0;
    h.inputs[1] <== siblings[1] + a1 + b1;
    h.inputs[2] <== siblings[1] + a2 + b2;
    h.inputs[3] <== siblings[2] + a3;
    out <== h.out;
}

// Root of a 4-ary tree with `levels` levels from a leaf, its position bits (2 per level, least significant
// first) and three siblings per level, bottom up. Also outputs the leaf position.
template QuadMerkleRoot(levels) {
    signal input leaf;
    signal input bits[2 * levels];
    signal input siblings[levels][3];
    signal output root;
    signal output position;

    component level[levels];
    var pos = 0;
    for (var l = 0; l < levels; l++) {
        level[l] = QuadLevel();
        if (l == 0) {
            level[l].cur <== leaf;
        } else {
            level[l].cur <== level[l - 1].out;
        }
        level[l].bits[0] <== bits[2 * l];
        level[l].bits[1] <== bits[2 * l + 1];
        level[l].siblings <== siblings[l];
        pos += bits[2 * l] * (1 << (2 * l)) + bits[2 * l + 1] * (1 << (2 * l + 1));
    }
    root <== level[levels - 1].out;
    position <== pos;
}

// Root of a complete 4-ary tree over 4^levels leaves (the filter circuit's bounded row block).
template QuadTreeRoot(levels) {
    var n = 4 ** levels;
    signal input leaves[n];
    signal output root;

    var nodes = (n - 1) \ 3;
    component h[nodes];
    signal layer[n + nodes];
    for (var i = 0; i < n; i++) {
        layer[i] <== leaves[i];
    }
    // nodes are numbered after the leaves, each level's parents following the level below
    var below = 0;
    var width = n;
    var next = n;
    var k = 0;
    while (width > 1) {
        for (var i = 0; i < width \ 4; i++) {
            h[k] = Poseidon(4);
            for (var j = 0; j < 4; j++) {
                h[k].inputs[j] <== layer[below + 4 * i + j];
            }
            layer[next + i] <== h[k].out;
            k++;
        }
        below = next;
        next += width \ 4;
        width = width \ 4;
    }
    root <== layer[n + nodes - 1];
}
