import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  dayOf,
  earningsPerEpoch,
  formatCredits,
  formatPermille,
  grantState,
  quotaShare,
  requestsPerDay,
  shortHash,
  supplyHeld,
  topConsumers,
} from "../src/app/format.js";

const REGION: Record<string, string> = { "gd.bank": "GD", "gd.courts": "GD", "hn.tax-bureau": "HN" };

describe("dashboard formatting", () => {
  it("formats 共票 amounts of any size with separators, and leaves non-numbers alone", () => {
    assert.equal(formatCredits("1234567", "en-GB"), "1,234,567");
    assert.equal(
      formatCredits("123456789012345678901234567890", "en-GB"),
      "123,456,789,012,345,678,901,234,567,890",
    );
    assert.equal(formatCredits("-5", "en-GB"), "-5");
    assert.equal(formatCredits("12abc", "en-GB"), "12abc");
  });

  it("shortens hashes only when longer than asked", () => {
    assert.equal(shortHash("abcdef", 12), "abcdef");
    assert.equal(shortHash("0123456789abcdef", 4), "0123…");
  });

  it("names a grant's state, revoked before expired before quota", () => {
    const now = Date.parse("2026-03-01T00:00:00Z");
    const base = { active: false, revoked: false, expiresAt: "2026-04-01T00:00:00Z", used: 1, quota: 5 };
    assert.equal(grantState({ ...base, active: true }, now), "active");
    assert.equal(grantState({ ...base, revoked: true, expiresAt: "2026-01-01T00:00:00Z" }, now), "revoked");
    assert.equal(grantState({ ...base, expiresAt: "2026-01-01T00:00:00Z", used: 5 }, now), "expired");
    assert.equal(grantState({ ...base, used: 5 }, now), "exhausted");
    assert.equal(grantState(base, now), "frozen");
  });

  it("bounds quota shares to 0..1", () => {
    assert.equal(quotaShare(2, 8), 0.25);
    assert.equal(quotaShare(9, 8), 1);
    assert.equal(quotaShare(0, 0), 1);
  });

  it("counts requests per UTC day per requester region, days without requests as zeros", () => {
    const { rows, regions } = requestsPerDay(
      [
        { requester: "gd.bank", time: "2026-03-01T23:59:59Z" },
        { requester: "hn.tax-bureau", time: "2026-03-01T10:00:00Z" },
        { requester: "gd.courts", time: "2026-03-03T00:00:00Z" },
        { requester: "unknown.agency", time: "2026-03-03T01:00:00Z" },
      ],
      (a) => REGION[a],
    );
    assert.deepEqual(regions, ["?", "GD", "HN"]);
    assert.deepEqual(rows, [
      { day: "2026-03-01", "?": 0, GD: 1, HN: 1 },
      { day: "2026-03-02", "?": 0, GD: 0, HN: 0 },
      { day: "2026-03-03", "?": 1, GD: 1, HN: 0 },
    ]);
    assert.deepEqual(
      requestsPerDay([], () => "GD"),
      { rows: [], regions: [] },
    );
    assert.equal(dayOf(Date.parse("2026-03-01T23:59:59.999Z")), "2026-03-01");
  });

  it("ranks top consumers by requests, ties by agency id", () => {
    const asks = ["gd.bank", "gd.courts", "gd.bank", "hn.tax-bureau", "gd.courts", "a.first"].map(
      (requester) => ({
        requester,
      }),
    );
    assert.deepEqual(topConsumers(asks, 3), [
      { agency: "gd.bank", requests: 2 },
      { agency: "gd.courts", requests: 2 },
      { agency: "a.first", requests: 1 },
    ]);
  });

  it("shows permille quality as a percentage with one decimal", () => {
    assert.equal(formatPermille(1000, "en-GB"), "100.0%");
    assert.equal(formatPermille(875, "en-GB"), "87.5%");
    assert.equal(formatPermille(0, "zh-CN"), "0.0%");
  });

  it("checks Σ balances + escrow against circulating, in exact integers", () => {
    const supply = { escrow: "50", circulating: "9007199254740993050" };
    assert.deepEqual(supplyHeld(["9007199254740993000", "0"], supply), {
      held: "9007199254740993050",
      holds: true,
    });
    assert.deepEqual(supplyHeld(["9007199254740992000"], supply), {
      held: "9007199254740992050",
      holds: false,
    });
    assert.equal(supplyHeld([], { escrow: "0", circulating: "1" }).holds, false);
  });

  it("charts an agency's epoch lines oldest first", () => {
    const line = (reward: string, fees: string) => ({ reward, fees });
    assert.deepEqual(
      earningsPerEpoch([
        { epoch: 7, line: line("30", "4") },
        { epoch: 5, line: line("10", "0") },
      ]),
      [
        { epoch: "5", reward: 10, fees: 0 },
        { epoch: "7", reward: 30, fees: 4 },
      ],
    );
  });
});
