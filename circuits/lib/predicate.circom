pragma circom 2.1.0;

include "comparators.circom";
include "bitify.circom";

// One-hot vector of `index` over n slots; fails unless index < n.
template OneHot(n) {
    signal input index;
    signal output out[n];

    var total = 0;
    for (var i = 0; i < n; i++) {
        out[i] <== IsEqual()([index, i]);
        total += out[i];
    }
    total === 1;
}

// Σ onehot[i] · values[i]: the selected value.
template Dot(n) {
    signal input onehot[n];
    signal input values[n];
    signal output out;

    signal terms[n];
    var total = 0;
    for (var i = 0; i < n; i++) {
        terms[i] <== onehot[i] * values[i];
        total += terms[i];
    }
    out <== total;
}

// Checks a predicate's public mode flags and masks its bounds: useRange and useEq are bits, not both; in range
// mode lo and hi are range-checked to `bits`, so LessThan below is sound whatever the verifier was given.
template PredicateBounds(bits) {
    signal input useRange;
    signal input useEq;
    signal input lo;
    signal input hi;
    signal output loRange;
    signal output hiRange;

    useRange * (useRange - 1) === 0;
    useEq * (useEq - 1) === 0;
    useRange * useEq === 0;
    loRange <== lo * useRange;
    hiRange <== hi * useRange;
    component loBits = Num2Bits(bits);
    loBits.in <== loRange;
    component hiBits = Num2Bits(bits);
    hiBits.in <== hiRange;
}

// Whether `value` passes a predicate: in range mode loRange ≤ value ≤ hiRange (value range-checked to `bits`);
// in equality mode value = lo (any field element, e.g. a 128-bit string hash); with neither flag, always 1.
template PredicateHit(bits) {
    signal input value;
    signal input useRange;
    signal input useEq;
    signal input lo;
    signal input loRange;
    signal input hiRange;
    signal output hit;

    signal ranged <== value * useRange;
    component vBits = Num2Bits(bits);
    vBits.in <== ranged;
    signal ge <== GreaterEqThan(bits)([ranged, loRange]);
    signal le <== LessEqThan(bits)([ranged, hiRange]);
    signal inRange <== ge * le;
    signal eq <== IsEqual()([value, lo]);
    signal r <== useRange * inRange;
    signal e <== useEq * eq;
    hit <== 1 - useRange - useEq + r + e;
}

// Binds an otherwise unused public input into the constraint system.
template Bind() {
    signal input in;
    signal square <== in * in;
}

// count is 0 or at least minGroup (k-anonymity); minGroup = 0 or 1 disables it. count < 2^bits.
template MinGroup(bits) {
    signal input count;
    signal input minGroup;

    component kBits = Num2Bits(bits);
    kBits.in <== minGroup;
    signal ge <== GreaterEqThan(bits)([count, minGroup]);
    signal zero <== IsZero()(count);
    (1 - zero) * (1 - ge) === 0;
}
