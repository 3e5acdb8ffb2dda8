import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { UsageError } from "../src/commands.js";
import { COMMANDS } from "../src/registry.js";
import { RULES_OFF, rulesFromFlags } from "../src/regulator-command.js";
import { coken } from "./run.js";

describe("coken regulator", () => {
  it("lists freeze, unfreeze and rules", () => {
    const words = COMMANDS.map((c) => c.words.join(" ")).filter((w) => w.startsWith("regulator "));
    assert.deepEqual(words, ["regulator freeze", "regulator unfreeze", "regulator rules"]);
  });

  it("builds the whole rule set from flags, absent flags turning rules off", () => {
    assert.deepEqual(rulesFromFlags({}), RULES_OFF);
    assert.deepEqual(
      rulesFromFlags({
        "double-sign": "on",
        "quota-overrun-bps": "20000",
        "dispute-rate-bps": "2500",
        "dispute-min-receipts": "50",
      }),
      { doubleSign: true, quotaOverrunBps: 20_000, disputeRateBps: 2500, disputeMinReceipts: 50 },
    );
    assert.throws(() => rulesFromFlags({ "double-sign": "yes" }), UsageError);
    assert.throws(() => rulesFromFlags({ "quota-overrun-bps": "-1" }), UsageError);
  });

  it("refuses a freeze without its target, and a rules read without a peer, before any network", () => {
    const freeze = coken([
      "regulator",
      "freeze",
      "--id",
      "bj.bank",
      "--reason",
      "x",
      "--api",
      "http://127.0.0.1:1",
    ]);
    assert.notEqual(freeze.code, 0);
    assert.match(freeze.err + freeze.out, /--target/);
    const rules = coken(["regulator", "rules"]);
    assert.notEqual(rules.code, 0);
    assert.match(rules.err + rules.out, /--api/);
  });
});
