import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { serverAudits } from "graphql-http";
import { serveWorld } from "../official/fixtures.js";

describe("GraphQL-over-HTTP server audits (graphql-http) against /graphql", () => {
  let url: string;
  let close: () => Promise<void>;
  before(async () => {
    ({ url, close } = await serveWorld());
  });
  after(() => close());

  it("passes every MUST audit; SHOULD and MAY results are recorded", async (t) => {
    const audits = serverAudits({ url: `${url}/graphql`, fetchFn: fetch });
    const failedMust: string[] = [];
    const tally = { MUST: { ok: 0, other: 0 }, SHOULD: { ok: 0, other: 0 }, MAY: { ok: 0, other: 0 } };
    for (const audit of audits) {
      const result = await audit.fn();
      const level = audit.name.split(" ")[0] as keyof typeof tally;
      const passed = result.status === "ok";
      tally[level][passed ? "ok" : "other"]++;
      if (!passed) t.diagnostic(`${result.status}: ${audit.name} (${audit.id}): ${result.reason}`);
      if (level === "MUST" && !passed) failedMust.push(`${audit.name}: ${result.reason}`);
    }
    t.diagnostic(
      `MUST ${tally.MUST.ok} ok, ${tally.MUST.other} not; SHOULD ${tally.SHOULD.ok} ok, ${tally.SHOULD.other} not; MAY ${tally.MAY.ok} ok, ${tally.MAY.other} not`,
    );
    assert.ok(tally.MUST.ok > 0, "the suite ran");
    assert.deepEqual(failedMust, []);
  });
});
