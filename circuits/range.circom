pragma circom 2.1.0;

include "poseidon.circom";
include "comparators.circom";
include "bitify.circom";
include "lib/order.circom";
include "lib/quadmerkle.circom";
include "lib/digest.circom";
include "lib/predicate.circom";

// One opening of a sorted prefix-sum index leaf (value, next, prefix) at a position: the four children of the
// index tree's top node. The two openings must give the same children, which the index entry hashes (so the
// index root itself is never hashed, docs/spec/zk.md §4).
template IndexOpening(depth) {
    signal input value;
    signal input next;
    signal input prefix;
    signal input bits[depth];
    signal input siblings[depth \ 2][3];
    signal output top[4];
    signal output position;

    component path = QuadMerkleTop(depth \ 2);
    path.leaf <== Poseidon(3)([value, next, prefix]);
    path.bits <== bits;
    path.siblings <== siblings;
    top <== path.children;
    position <== path.position;
}

// COUNT and SUM over the rows whose indexed field (slot fieldTag − 1) lies in [from, to] (129-bit ordered
// elements), from the index committed with sum field sumTag − 1. The lower leaf straddles from
// (value < from ≤ next), the upper leaf straddles to (value ≤ to < next); count = upper − lower positions and
// sum = upper prefix − lower prefix (encoded values; 0 when countOnly). count is 0 or ≥ minGroup.
// Public signals: count, sum, root, requestHash, fieldTag, sumTag, countOnly, from, to, minGroup.
template RangeAggregate(depth) {
    signal input root;
    signal input requestHash;
    signal input fieldTag;
    signal input sumTag;
    signal input countOnly;
    signal input from;
    signal input to;
    signal input minGroup;
    signal output count;
    signal output sum;

    signal input rowTop[4];
    signal input meta;
    signal input entrySumTag;
    signal input entryBits[6];
    signal input entrySiblings[3][3];
    signal input lowValue;
    signal input lowNext;
    signal input lowPrefix;
    signal input lowBits[depth];
    signal input lowSiblings[depth \ 2][3];
    signal input highValue;
    signal input highNext;
    signal input highPrefix;
    signal input highBits[depth];
    signal input highSiblings[depth \ 2][3];

    // the index entry names the field and the sum field; a count may use an index with any sum field
    countOnly * (countOnly - 1) === 0;
    (entrySumTag - sumTag) * (1 - countOnly) === 0;
    component low = IndexOpening(depth);
    low.value <== lowValue;
    low.next <== lowNext;
    low.prefix <== lowPrefix;
    low.bits <== lowBits;
    low.siblings <== lowSiblings;
    component high = IndexOpening(depth);
    high.value <== highValue;
    high.next <== highNext;
    high.prefix <== highPrefix;
    high.bits <== highBits;
    high.siblings <== highSiblings;
    // both openings reach the same top node, whose four children the entry hashes with the tags
    for (var i = 0; i < 4; i++) {
        low.top[i] === high.top[i];
    }

    component entry = QuadMerkleTop(3);
    entry.leaf <== Poseidon(6)([fieldTag, entrySumTag, low.top[0], low.top[1], low.top[2], low.top[3]]);
    entry.bits <== entryBits;
    entry.siblings <== entrySiblings;
    signal computedRoot <== CommitmentRoot()(rowTop, entry.children, meta);
    root === computedRoot;

    // two ordered chains (lib/order.circom), each anchored by its least element, a committed index value: in a
    // well-formed index every value lies in [0, 2^128 + 1], so it needs no range check of its own (§7, §9)
    AssertLess(129)(lowValue, from);
    AssertLessEq(129)(from, lowNext);
    AssertLessEq(129)(highValue, to);
    AssertLess(129)(to, highNext);

    count <== high.position - low.position;
    sum <== (highPrefix - lowPrefix) * (1 - countOnly);
    // count < 2^depth and minGroup ≤ 2^20; MinGroup also fails a negative (wrapped) count
    var groupBits = depth + 1 > 21 ? depth + 1 : 21;
    component k = MinGroup(groupBits);
    k.count <== count;
    k.minGroup <== minGroup;
    Bind()(requestHash);
}
