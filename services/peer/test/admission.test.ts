import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  admissionRefusal,
  isRetryable,
  keepsDecoded,
  type MempoolLimits,
  senderRefusal,
} from "../src/admission.js";

const LIMITS: MempoolLimits = {
  maxTxs: 3,
  maxBytes: 1000,
  maxPerSender: 2,
  maxTxBytes: 600,
  maxDecodedBytes: 500,
};

describe("mempool admission", () => {
  it("refuses for capacity before any check: count, then bytes, each at its bound", () => {
    assert.equal(admissionRefusal({ txs: 2, bytes: 400 }, 600, LIMITS), null);
    assert.equal(admissionRefusal({ txs: 2, bytes: 401 }, 600, LIMITS), "FULL");
    assert.equal(admissionRefusal({ txs: 3, bytes: 0 }, 1, LIMITS), "FULL");
    assert.equal(admissionRefusal({ txs: 0, bytes: 0 }, 1000, { ...LIMITS, maxTxBytes: undefined }), null);
  });

  it("bounds the backlog to maxBacklogBlocks proposals' worth, but an empty pool takes any tx a block holds", () => {
    const limits = { ...LIMITS, maxBacklogBlocks: 2 };
    assert.equal(admissionRefusal({ txs: 1, bytes: 100 }, 100, limits, 100), null);
    assert.equal(admissionRefusal({ txs: 1, bytes: 100 }, 101, limits, 100), "FULL");
    assert.equal(admissionRefusal({ txs: 0, bytes: 0 }, 600, limits, 10), null);
    assert.equal(admissionRefusal({ txs: 1, bytes: 100 }, 500, { ...limits, maxBacklogBlocks: 0 }, 10), null);
  });

  it("refuses a tx no block can hold whatever the pool holds, and not as retryable", () => {
    assert.equal(admissionRefusal({ txs: 0, bytes: 0 }, 601, LIMITS), "OVER_BLOCK_LIMIT");
    assert.equal(isRetryable("OVER_BLOCK_LIMIT"), false);
  });

  it("bounds each sender's share", () => {
    assert.equal(senderRefusal(1, LIMITS), null);
    assert.equal(senderRefusal(2, LIMITS), "SENDER_LIMIT");
  });

  it("calls only capacity refusals retryable", () => {
    assert.equal(isRetryable("FULL"), true);
    assert.equal(isRetryable("SENDER_LIMIT"), true);
    for (const code of ["DUPLICATE", "BAD_SEQUENCE", "BAD_SIGNATURE", "INVALIDATED", "DEFERRED"])
      assert.equal(isRetryable(code), false, code);
  });

  it("keeps the decoded form for the oldest txs up to the decoded budget", () => {
    assert.equal(keepsDecoded(0, 500, LIMITS), true);
    assert.equal(keepsDecoded(300, 200, LIMITS), true);
    assert.equal(keepsDecoded(300, 201, LIMITS), false);
    assert.equal(keepsDecoded(1e9, 1, { ...LIMITS, maxDecodedBytes: undefined }), true);
  });
});
