import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildReport, renderHtml, reportSummary } from "../src/index.js";
import { buildChain } from "./chain.js";
import { archiveOf, audit } from "./helpers.js";

describe("archive export and audit", () => {
  it("replays an honest archive: certified to its newest block, receipts, freezes and refusals counted", async () => {
    const chain = buildChain();
    const bytes = await archiveOf(chain);
    const { auditor, digest, archiveHeight } = await audit(bytes, { genesis: chain.genesis });
    const codes = auditor.discrepancies.map((d) => d.code);
    // The test proofs are not Groth16 proofs: they hash right and then fail verification, and nothing else fails.
    assert.deepEqual([...new Set(codes)], ["PROOF_INVALID"]);
    assert.equal(auditor.height, chain.blocks.length);
    assert.equal(auditor.verifiedHeight, chain.blocks.length);
    assert.equal(archiveHeight, chain.blocks.length);
    assert.match(digest ?? "", /^[0-9a-f]{64}$/);
    const s = auditor.stats;
    assert.equal(s.receipts.acknowledged, 15); // rounds 0, 1 and 3; round 2 is refused while the grant is frozen
    assert.equal(s.refused.FROZEN, 1);
    assert.equal(s.refused.QUOTA_EXCEEDED, 1);
    assert.deepEqual(
      s.freezes.map((f) => f.action),
      ["freeze", "unfreeze"],
    );
    assert.equal(s.proofs.failed + s.proofs.verified, 6); // receipts 0, 3, 6, 9, 15, 18
    assert.equal(s.anomalyCounts.quotaRefused, 1);
    assert.equal(s.byAgency["2026-01-01"]?.["bj.housing"]?.asked, 15);
    assert.equal(s.byRegion["2026-01-01"]?.["CN-SH"]?.answered, 15);
    const report = buildReport(
      auditor,
      chain.genesis,
      { kind: "archive", name: "test", digest },
      "2026-01-02T00:00:00.000Z",
    );
    assert.equal(report.ok, false);
    assert.match(reportSummary(report), /receipts acknowledged 15/);
    const html = renderHtml(report);
    assert.match(html, /<h2>Freezes<\/h2>/);
    assert.doesNotMatch(html, /<script|https?:\/\//);
  });

  it("counts the same with the signatures verified a second time, and that second pass finds nothing", async () => {
    const chain = buildChain();
    const bytes = await archiveOf(chain);
    const once = (await audit(bytes, { genesis: chain.genesis })).auditor;
    const twice = (await audit(bytes, { genesis: chain.genesis, recheckSignatures: true })).auditor;
    assert.deepEqual(twice.stats, once.stats);
    assert.deepEqual(twice.discrepancies, once.discrepancies);
    assert.ok(!twice.discrepancies.some((d) => d.code === "TX_SIGNATURE" || d.code === "RECEIPT_SIGNATURE"));
  });

  it("refuses an archive of another genesis", async () => {
    const chain = buildChain(1, 2);
    const other = JSON.parse(chain.genesisText);
    other.chainId = "another-chain";
    const { auditor } = await audit(await archiveOf(chain), {
      genesis: (await import("@coken/ledger")).parseGenesis(other),
    });
    assert.equal(auditor.discrepancies[0]?.code, "GENESIS_MISMATCH");
  });
});
