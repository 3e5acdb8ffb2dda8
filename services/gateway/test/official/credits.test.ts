import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { gql } from "./client.js";
import { serveWorld } from "./fixtures.js";

describe("officials' GraphQL: 共票 credits", () => {
  let served: Awaited<ReturnType<typeof serveWorld>>;
  let url: string;
  before(async () => {
    served = await serveWorld();
    url = served.url;
  });
  after(() => served.close());

  it("shows the supply, a dataset's quality breakdown, the catalog and epoch rankings", async () => {
    const res = await gql(
      url,
      `{ creditSupply { genesis minted burned escrow circulating }
         q: datasetQuality(dataset: "sh/property") { dataset freshness completeness success score accessCount }
         none: datasetQuality(dataset: "sh/none") { score }
         redemptionCatalog { id price stock }
         standing { epoch agencies { rank agency reward } regions { rank region } }
         earned: rankings(by: EARNED, scope: AGENCY) { rank subject value }
         voucher(id: "00000000000000000000000000000000") { id } }`,
    );
    assert.deepEqual(res.body.errors, undefined);
    const s = res.body.data.creditSupply;
    assert.equal(BigInt(s.circulating), BigInt(s.genesis) + BigInt(s.minted) - BigInt(s.burned));
    assert.ok(BigInt(s.genesis) > 0n, "genesis balances count in the supply");
    const q = res.body.data.q;
    assert.equal(q.dataset, "sh/property");
    assert.ok(q.accessCount > 0);
    assert.equal(q.score, Math.floor((q.freshness * q.completeness * q.success) / 1_000_000));
    assert.equal(res.body.data.none, null);
    assert.deepEqual(res.body.data.redemptionCatalog, []);
    assert.equal(res.body.data.voucher, null);
    const standing = res.body.data.standing;
    const earned = res.body.data.earned;
    if (standing === null) assert.deepEqual(earned, []);
    else assert.equal(earned.length, standing.agencies.length);
  });
});
