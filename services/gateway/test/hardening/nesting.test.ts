import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { maxNesting } from "../../src/hardening/nesting.js";

describe("maxNesting", () => {
  it("counts selection, list, object and argument brackets", () => {
    assert.equal(maxNesting("{ a }"), 1);
    assert.equal(maxNesting("{ a(x: [[{ y: 1 }]]) { b } }"), 5);
    assert.equal(maxNesting(`{ x(v: ${"[".repeat(100)}1${"]".repeat(100)}) }`), 102);
  });

  it("ignores brackets inside strings, block strings and comments", () => {
    assert.equal(maxNesting('{ a(s: "{{{[[[(((") }'), 2);
    assert.equal(maxNesting('{ a(s: "esc \\" {{{") }'), 2);
    assert.equal(maxNesting('{ a(s: """ {{{ \\""" [[[ """) }'), 2);
    assert.equal(maxNesting("# {{{{{{\n{ a }"), 1);
  });

  it("survives unbalanced and unterminated input", () => {
    assert.equal(maxNesting("}}}{"), 1);
    assert.equal(maxNesting('{ a(s: "never closed'), 2);
    assert.equal(maxNesting('"""'), 0);
  });
});
