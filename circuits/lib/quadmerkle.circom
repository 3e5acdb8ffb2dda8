pragma circom 2.1.0;

include "poseidon.circom";

// The four children of a 4-ary node: `cur` at position q = bits[0] + 2·bits[1] (bits boolean, checked by the
// caller) among its three siblings in order. Five products: `cur` and the sibling it pairs with (s0 in the low
// half, s2 in the high half) are ordered by bits[0], then the pair goes to the half named by bits[1]; the last
// child is linear, since the children are a permutation of cur, s0, s1, s2 and so have the same sum.
template QuadPlace() {
    signal input cur;
    signal input bits[2];
    signal input siblings[3];
    signal output children[4];

    signal other <== siblings[0] + bits[1] * (siblings[2] - siblings[0]);
    signal first <== cur + bits[0] * (other - cur);
    signal second <== cur + other - first;
    children[0] <== first + bits[1] * (siblings[0] - first);
    children[1] <== second + bits[1] * (siblings[1] - second);
    children[2] <== siblings[1] + bits[1] * (first - siblings[1]);
    children[3] <== cur + siblings[0] + siblings[1] + siblings[2] - children[0] - children[1] - children[2];
}

// One level of a 4-ary Poseidon Merkle path: places `cur` among its three siblings at the position given by
// two bits (least significant first) and hashes the four children.
template QuadLevel() {
    signal input cur;
    signal input bits[2];
    signal input siblings[3];
    signal output out;

    bits[0] * (bits[0] - 1) === 0;
    bits[1] * (bits[1] - 1) === 0;
    out <== Poseidon(4)(QuadPlace()(cur, bits, siblings));
}

// The four children of the top node of a 4-ary tree with `levels` levels, from a leaf, its position bits (2 per
// level, least significant first) and three siblings per level, bottom up; the top node itself is not hashed
// (the commitment root hashes these children directly, docs/spec/zk.md §5). Also outputs the leaf position.
template QuadMerkleTop(levels) {
    signal input leaf;
    signal input bits[2 * levels];
    signal input siblings[levels][3];
    signal output children[4];
    signal output position;

    component level[levels - 1];
    var pos = 0;
    for (var l = 0; l < levels; l++) {
        pos += bits[2 * l] * (1 << (2 * l)) + bits[2 * l + 1] * (1 << (2 * l + 1));
    }
    for (var l = 0; l < levels - 1; l++) {
        level[l] = QuadLevel();
        if (l == 0) {
            level[l].cur <== leaf;
        } else {
            level[l].cur <== level[l - 1].out;
        }
        level[l].bits[0] <== bits[2 * l];
        level[l].bits[1] <== bits[2 * l + 1];
        level[l].siblings <== siblings[l];
    }
    var top = levels - 1;
    bits[2 * top] * (bits[2 * top] - 1) === 0;
    bits[2 * top + 1] * (bits[2 * top + 1] - 1) === 0;
    component place = QuadPlace();
    if (top == 0) {
        place.cur <== leaf;
    } else {
        place.cur <== level[top - 1].out;
    }
    place.bits[0] <== bits[2 * top];
    place.bits[1] <== bits[2 * top + 1];
    place.siblings <== siblings[top];
    children <== place.children;
    position <== pos;
}

// Root of a 4-ary tree with `levels` levels from a leaf and its path (as QuadMerkleTop). Also outputs the leaf
// position.
template QuadMerkleRoot(levels) {
    signal input leaf;
    signal input bits[2 * levels];
    signal input siblings[levels][3];
    signal output root;
    signal output position;

    component top = QuadMerkleTop(levels);
    top.leaf <== leaf;
    top.bits <== bits;
    top.siblings <== siblings;
    root <== Poseidon(4)(top.children);
    position <== top.position;
}

// The four children of the top node of a complete 4-ary tree over 4^levels leaves (levels ≥ 1): the roots of
// its four quarters (the filter circuit's bounded row block).
template QuadTreeTop(levels) {
    var n = 4 ** levels;
    signal input leaves[n];
    signal output children[4];

    var quarter = n \ 4;
    var nodes = (quarter - 1) \ 3;
    component h[4 * nodes];
    signal layer[4][quarter + nodes];
    var k = 0;
    for (var q = 0; q < 4; q++) {
        for (var i = 0; i < quarter; i++) {
            layer[q][i] <== leaves[q * quarter + i];
        }
        // nodes are numbered after the leaves, each level's parents following the level below
        var below = 0;
        var width = quarter;
        var next = quarter;
        while (width > 1) {
            for (var i = 0; i < width \ 4; i++) {
                h[k] = Poseidon(4);
                for (var j = 0; j < 4; j++) {
                    h[k].inputs[j] <== layer[q][below + 4 * i + j];
                }
                layer[q][next + i] <== h[k].out;
                k++;
            }
            below = next;
            next += width \ 4;
            width = width \ 4;
        }
        children[q] <== layer[q][quarter + nodes - 1];
    }
}

// Root of a complete 4-ary tree over 4^levels leaves.
template QuadTreeRoot(levels) {
    signal input leaves[4 ** levels];
    signal output root;

    root <== Poseidon(4)(QuadTreeTop(levels)(leaves));
}
