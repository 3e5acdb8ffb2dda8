pragma circom 2.1.0;

include "poseidon.circom";
include "bitify.circom";
include "lib/quadmerkle.circom";
include "lib/digest.circom";
include "lib/predicate.circom";

// One chunk of a commitment's well-formedness proof (docs/spec/zk.md §9): `rows` consecutive leaf positions
// (a power of 4, aligned; 1 makes each chunk a single leaf, whose block root is the leaf itself) of the row tree and of each of the `nIndexes` sorted indexes. The chunks of one
// commitment chain through their public state, in order, from the state (0, 0…, 0…, 1, 1) at position 0:
//   - positions below `present` hold leaves, the rest of the chunk is empty (leaf 0); `present` is set by the
//     verifier from the ledger's rowCount n (positions 0..n hold leaves);
//   - each row leaf's key is the previous leaf's nextKey and key < nextKey (a strictly increasing chain);
//   - each index leaf's value is the previous leaf's next value and value ≤ next (a sorted chain), its prefix
//     is the previous prefix plus this leaf's summand s (s < 2^64, 0 without sums and on the sentinel);
//   - grand products over the rows (not the sentinel) of β − (ord(F_j) + γ·S_j + γ²·j) and over the index
//     leaves of β − (w + γ·s + γ²·j): equal at the end iff, with high probability over β and γ (derived from the
//     root after it is fixed), each index holds exactly the rows' (value, summand) pairs.
// Outputs the chunk's subtree roots; the verifier joins them into the trees and recomputes the root.
// Public signals: outKey, outValue[I], outPrefix[I], outRowProduct, outIndexProduct, rowBlock, indexBlock[I],
// first, present, beta, gamma, fieldSlot[I], sumSlot[I], useSum[I], inKey, inValue[I], inPrefix[I],
// inRowProduct, inIndexProduct.
template WellFormedChunk(nFields, nIndexes, rows) {
    signal input first;
    signal input present;
    signal input beta;
    signal input gamma;
    signal input fieldSlot[nIndexes];
    signal input sumSlot[nIndexes];
    signal input useSum[nIndexes];
    signal input inKey;
    signal input inValue[nIndexes];
    signal input inPrefix[nIndexes];
    signal input inRowProduct;
    signal input inIndexProduct;

    signal output outKey;
    signal output outValue[nIndexes];
    signal output outPrefix[nIndexes];
    signal output outRowProduct;
    signal output outIndexProduct;
    signal output rowBlock;
    signal output indexBlock[nIndexes];

    signal input live[rows];
    signal input keys[rows];
    signal input nextKeys[rows];
    signal input values[rows][nFields];
    signal input indexValue[rows][nIndexes];
    signal input indexNext[rows][nIndexes];
    signal input indexPrefix[rows][nIndexes];
    signal input summand[rows][nIndexes];

    var blockLevels = 0;
    while (4 ** blockLevels < rows) {
        blockLevels++;
    }
    assert(4 ** blockLevels == rows);

    // live positions are a prefix of the chunk, `present` of them
    first * (first - 1) === 0;
    var liveCount = 0;
    for (var i = 0; i < rows; i++) {
        live[i] * (live[i] - 1) === 0;
        if (i > 0) {
            live[i] * (1 - live[i - 1]) === 0;
        }
        liveCount += live[i];
    }
    liveCount === present;
    // a row is a live position other than the sentinel (position 0 of the first chunk)
    signal isRow[rows];
    isRow[0] <== live[0] * (1 - first);
    for (var i = 1; i < rows; i++) {
        isRow[i] <== live[i];
    }

    signal gamma2 <== gamma * gamma;
    signal fieldHot[nIndexes][nFields];
    signal sumHot[nIndexes][nFields];
    for (var j = 0; j < nIndexes; j++) {
        useSum[j] * (useSum[j] - 1) === 0;
        fieldHot[j] <== OneHot(nFields)(fieldSlot[j]);
        sumHot[j] <== OneHot(nFields)(sumSlot[j]);
    }

    // row tree: leaves and the strictly increasing key chain
    component rowLeaf[rows];
    signal rowLeaves[rows];
    signal keyChain[rows + 1];
    signal keyGap[rows];
    signal keyStep[rows];
    keyChain[0] <== inKey;
    for (var i = 0; i < rows; i++) {
        rowLeaf[i] = RowLeaf(nFields);
        rowLeaf[i].key <== keys[i];
        rowLeaf[i].nextKey <== nextKeys[i];
        rowLeaf[i].values <== values[i];
        rowLeaves[i] <== live[i] * rowLeaf[i].out;
        live[i] * (keys[i] - keyChain[i]) === 0;
        keyGap[i] <== live[i] * (nextKeys[i] - keys[i] - 1);
        _ <== Num2Bits(129)(keyGap[i]);
        keyStep[i] <== live[i] * (nextKeys[i] - keyChain[i]);
        keyChain[i + 1] <== keyChain[i] + keyStep[i];
    }
    outKey <== keyChain[rows];
    if (blockLevels == 0) {
        rowBlock <== rowLeaves[0];
    } else {
        rowBlock <== QuadTreeRoot(blockLevels)(rowLeaves);
    }

    // indexes: sorted value chains, prefix sums, and both sides of the grand product
    component indexLeaf[rows][nIndexes];
    signal indexLeaves[nIndexes][rows];
    signal valueChain[nIndexes][rows + 1];
    signal valueGap[rows][nIndexes];
    signal valueStep[rows][nIndexes];
    signal prefixChain[nIndexes][rows + 1];
    signal prefixStep[rows][nIndexes];
    signal rowField[rows][nIndexes];
    signal rowSum[rows][nIndexes];
    signal rowSumUsed[rows][nIndexes];
    signal rowTerm[rows][nIndexes];
    signal indexTerm[rows][nIndexes];
    signal rowFactor[rows][nIndexes];
    signal indexFactor[rows][nIndexes];
    signal rowProduct[rows * nIndexes + 1];
    signal indexProduct[rows * nIndexes + 1];
    rowProduct[0] <== inRowProduct;
    indexProduct[0] <== inIndexProduct;
    for (var j = 0; j < nIndexes; j++) {
        valueChain[j][0] <== inValue[j];
        prefixChain[j][0] <== inPrefix[j];
    }
    for (var i = 0; i < rows; i++) {
        for (var j = 0; j < nIndexes; j++) {
            indexLeaf[i][j] = Poseidon(3);
            indexLeaf[i][j].inputs <== [indexValue[i][j], indexNext[i][j], indexPrefix[i][j]];
            indexLeaves[j][i] <== live[i] * indexLeaf[i][j].out;

            live[i] * (indexValue[i][j] - valueChain[j][i]) === 0;
            valueGap[i][j] <== live[i] * (indexNext[i][j] - indexValue[i][j]);
            _ <== Num2Bits(129)(valueGap[i][j]);
            valueStep[i][j] <== live[i] * (indexNext[i][j] - valueChain[j][i]);
            valueChain[j][i + 1] <== valueChain[j][i] + valueStep[i][j];

            // the summand is a 64-bit encoded value, and 0 where there is no row or the index keeps no sums
            _ <== Num2Bits(64)(summand[i][j]);
            summand[i][j] * (1 - isRow[i]) === 0;
            summand[i][j] * (1 - useSum[j]) === 0;
            live[i] * (indexPrefix[i][j] - prefixChain[j][i] - summand[i][j]) === 0;
            prefixStep[i][j] <== live[i] * (indexPrefix[i][j] - prefixChain[j][i]);
            prefixChain[j][i + 1] <== prefixChain[j][i] + prefixStep[i][j];

            rowField[i][j] <== Dot(nFields)(fieldHot[j], values[i]);
            rowSum[i][j] <== Dot(nFields)(sumHot[j], values[i]);
            rowSumUsed[i][j] <== rowSum[i][j] * useSum[j];
            rowTerm[i][j] <== rowField[i][j] + 1 + gamma * rowSumUsed[i][j] + gamma2 * j;
            indexTerm[i][j] <== indexValue[i][j] + gamma * summand[i][j] + gamma2 * j;
            rowFactor[i][j] <== isRow[i] * (beta - rowTerm[i][j] - 1) + 1;
            indexFactor[i][j] <== isRow[i] * (beta - indexTerm[i][j] - 1) + 1;
            rowProduct[i * nIndexes + j + 1] <== rowProduct[i * nIndexes + j] * rowFactor[i][j];
            indexProduct[i * nIndexes + j + 1] <== indexProduct[i * nIndexes + j] * indexFactor[i][j];
        }
    }
    for (var j = 0; j < nIndexes; j++) {
        outValue[j] <== valueChain[j][rows];
        outPrefix[j] <== prefixChain[j][rows];
        if (blockLevels == 0) {
            indexBlock[j] <== indexLeaves[j][0];
        } else {
            indexBlock[j] <== QuadTreeRoot(blockLevels)(indexLeaves[j]);
        }
    }
    outRowProduct <== rowProduct[rows * nIndexes];
    outIndexProduct <== indexProduct[rows * nIndexes];
}
