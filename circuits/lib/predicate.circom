pragma circom 2.1.0;

include "comparators.circom";
include "bitify.circom";

// One-hot vector of `index` over n slots; fails unless index < n. Bits summing to 1 whose weighted sum is
// `index`: n constraints (an IsEqual per slot would cost 2n).
template OneHot(n) {
    signal input index;
    signal output out[n];

    var total = 0;
    var at = 0;
    for (var i = 0; i < n; i++) {
        out[i] <-- index == i ? 1 : 0;
        out[i] * (out[i] - 1) === 0;
        total += out[i];
        at += i * out[i];
    }
    total === 1;
    at === index;
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

// Whether `value` passes a predicate: in range mode loRange ≤ value ≤ hiRange; in equality mode value = lo (any
// field element, e.g. a 128-bit string hash); with neither flag, always 1. The bounds are below 2^bits
// (PredicateBounds); the value needs no range check of its own: each comparison decomposes value − bound + 2^bits
// into bits + 1 bits, which has a solution only when value, read as a signed field element, lies within 2^bits
// of the bound, and there the comparison is exact. A value outside that window (a 128-bit hash) has no witness;
// a "negative" value fails lo ≤ value, as its canonical value (above p/2) fails value ≤ hi (docs/spec/zk.md §7).
template PredicateHit(bits) {
    signal input value;
    signal input useRange;
    signal input useEq;
    signal input lo;
    signal input loRange;
    signal input hiRange;
    signal output hit;

    signal ranged <== value * useRange;
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

// count is 0 or at least minGroup (k-anonymity); minGroup = 0 or 1 disables it. minGroup is range-checked to
// `bits`; then count − minGroup (or count itself when count = 0) in [0, 2^bits) also proves count ≥ 0, so a
// "negative" count (a wrapped difference) fails here too.
template MinGroup(bits) {
    signal input count;
    signal input minGroup;

    _ <== Num2Bits(bits)(minGroup);
    signal zero <== IsZero()(count);
    signal floor <== minGroup * (1 - zero);
    _ <== Num2Bits(bits)(count - floor);
}
