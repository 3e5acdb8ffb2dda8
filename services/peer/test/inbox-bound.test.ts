import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ConsensusInput } from "@coken/consensus";
import { admitsNetworkInput } from "../src/inbox-bound.js";

const vote = { kind: "vote" } as ConsensusInput;
const proposal = { kind: "proposal" } as ConsensusInput;
const LIMITS = { maxInputs: 10, maxProposals: 2 };

describe("driver inbox bound", () => {
  it("takes network inputs up to the input bound, and proposals up to their own", () => {
    assert.equal(admitsNetworkInput({ inputs: 9, proposals: 2 }, vote, LIMITS), true);
    assert.equal(admitsNetworkInput({ inputs: 10, proposals: 0 }, vote, LIMITS), false);
    assert.equal(admitsNetworkInput({ inputs: 3, proposals: 1 }, proposal, LIMITS), true);
    assert.equal(admitsNetworkInput({ inputs: 3, proposals: 2 }, proposal, LIMITS), false);
  });
});
