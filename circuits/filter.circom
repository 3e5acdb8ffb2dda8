pragma circom 2.1.0;

include "poseidon.circom";
include "comparators.circom";
include "bitify.circom";
include "lib/quadmerkle.circom";
include "lib/digest.circom";
include "lib/predicate.circom";
include "lib/zero_hashes.circom";

// COUNT (and SUM of slot sumSlot) of the rows passing every predicate, over a dataset whose rows all lie in the
// first block of `rows` leaves of its row tree. The circuit rehashes every leaf of that block and proves the
// rest of the tree empty (each level above the block joins empty-subtree constants), so no committed row can
// be left out: a leaf marked absent must be the empty leaf 0. The sentinel (key 0) is never counted.
// Public signals: count, sum, root, requestHash, slot[P], useRange[P], useEq[P], lo[P], hi[P], sumSlot, useSum,
// minGroup.
template Filter(depth, nFields, rows, nPreds) {
    signal input root;
    signal input requestHash;
    signal input slot[nPreds];
    signal input useRange[nPreds];
    signal input useEq[nPreds];
    signal input lo[nPreds];
    signal input hi[nPreds];
    signal input sumSlot;
    signal input useSum;
    signal input minGroup;
    signal output count;
    signal output sum;

    signal input present[rows];
    signal input keys[rows];
    signal input nextKeys[rows];
    signal input values[rows][nFields];
    signal input indexesTop[4];
    signal input meta;

    var blockLevels = 0;
    while (4 ** blockLevels < rows) {
        blockLevels++;
    }
    assert(4 ** blockLevels == rows);

    component bounds[nPreds];
    signal onehot[nPreds][nFields];
    for (var p = 0; p < nPreds; p++) {
        bounds[p] = PredicateBounds(64);
        bounds[p].useRange <== useRange[p];
        bounds[p].useEq <== useEq[p];
        bounds[p].lo <== lo[p];
        bounds[p].hi <== hi[p];
        onehot[p] <== OneHot(nFields)(slot[p]);
    }
    useSum * (useSum - 1) === 0;
    signal sumHot[nFields] <== OneHot(nFields)(sumSlot);

    component leaf[rows];
    component hit[rows][nPreds];
    signal leaves[rows];
    signal keyZero[rows];
    signal isData[rows];
    signal sumValue[rows];
    signal passes[rows][nPreds + 1];
    signal picked[rows][nPreds];
    signal summed[rows];
    var total = 0;
    var totalSum = 0;
    for (var r = 0; r < rows; r++) {
        present[r] * (present[r] - 1) === 0;
        leaf[r] = RowLeaf(nFields);
        leaf[r].key <== keys[r];
        leaf[r].nextKey <== nextKeys[r];
        leaf[r].values <== values[r];
        leaves[r] <== present[r] * leaf[r].out;
        keyZero[r] <== IsZero()(keys[r]);
        isData[r] <== present[r] * (1 - keyZero[r]);
        passes[r][0] <== isData[r];
        for (var p = 0; p < nPreds; p++) {
            picked[r][p] <== Dot(nFields)(onehot[p], values[r]);
            hit[r][p] = PredicateHit(64);
            hit[r][p].value <== picked[r][p];
            hit[r][p].useRange <== useRange[p];
            hit[r][p].useEq <== useEq[p];
            hit[r][p].lo <== lo[p];
            hit[r][p].loRange <== bounds[p].loRange;
            hit[r][p].hiRange <== bounds[p].hiRange;
            passes[r][p + 1] <== passes[r][p] * hit[r][p].hit;
        }
        sumValue[r] <== Dot(nFields)(sumHot, values[r]);
        summed[r] <== passes[r][nPreds] * sumValue[r];
        total += passes[r][nPreds];
        totalSum += summed[r];
    }

    // the children of the row tree's top node: the block's quarters when the block is the whole tree, else the
    // block's subtree joined with empty-subtree constants up to the top, and three empty subtrees
    var levels = depth \ 2;
    signal top[4];
    if (blockLevels == levels) {
        top <== QuadTreeTop(blockLevels)(leaves);
    } else {
        component block = QuadTreeRoot(blockLevels);
        block.leaves <== leaves;
        component up[levels - 1 - blockLevels];
        signal node[levels - blockLevels];
        node[0] <== block.root;
        for (var l = blockLevels; l < levels - 1; l++) {
            var z = zeroHash(l);
            up[l - blockLevels] = Poseidon(4);
            up[l - blockLevels].inputs <== [node[l - blockLevels], z, z, z];
            node[l - blockLevels + 1] <== up[l - blockLevels].out;
        }
        var zTop = zeroHash(levels - 1);
        top <== [node[levels - 1 - blockLevels], zTop, zTop, zTop];
    }
    signal computedRoot <== CommitmentRoot()(top, indexesTop, meta);
    root === computedRoot;

    count <== total;
    sum <== totalSum * useSum;
    component k = MinGroup(32);
    k.count <== count;
    k.minGroup <== minGroup;
    Bind()(requestHash);
}
