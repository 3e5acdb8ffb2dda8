pragma circom 2.1.0;

include "bitify.circom";

// Ordered chains of integers a ≤ b ≤ … with one range check each. The first element of a chain lies in
// [0, 2^bits): range-checked (Num2Bits), or a committed value that a well-formed commitment keeps in that
// interval (the range circuit's index values, docs/spec/zk.md §7). Each next element b is checked through its difference: b − a ∈ [0, 2^bits) means
// b = a + d as integers, so b is a non-negative integer below (position in chain + 1) · 2^bits, far below p,
// and the order holds as integers, not only modulo p. No element needs a second check (circomlib's LessThan
// would range-check the difference again and needs its inputs checked as well).

// Asserts a ≤ b, for a already bounded by its chain.
template AssertLessEq(bits) {
    signal input a;
    signal input b;

    _ <== Num2Bits(bits)(b - a);
}

// Asserts a < b, for a already bounded by its chain.
template AssertLess(bits) {
    signal input a;
    signal input b;

    _ <== Num2Bits(bits)(b - a - 1);
}
