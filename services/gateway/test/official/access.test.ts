import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { codes, gql } from "./client.js";
import { OTHER, OWNER, SELF, serveWorld, type World } from "./fixtures.js";

const LOG = `query($first: Int, $after: String, $filter: AccessLogFilter) {
  accessLog(first: $first, after: $after, filter: $filter) {
    edges { cursor node { receiptId provider requester datasetId grantId height time } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  } }`;

describe("officials' endpoint: grants, access log, credits", () => {
  let world: World;
  let url: string;
  let close: () => Promise<void>;
  before(async () => {
    ({ world, url, close } = await serveWorld());
  });
  after(() => close());

  it("lists grants received and issued, with their state now", async () => {
    const q = `query($role: GrantRole, $active: Boolean) { grants(role: $role, activeOnly: $active) {
      totalCount edges { node { grantId grantor grantee datasetId used quota active revoked expiresAt dataset { title } } } } }`;
    const received = await gql(url, q, { role: "RECEIVED" });
    const byId = new Map(
      received.body.data.grants.edges.map((e: { node: { grantId: string } }) => [e.node.grantId, e.node]),
    );
    assert.equal(received.body.data.grants.totalCount, 2);
    const live = byId.get(world.grants.live) as Record<string, unknown>;
    assert.deepEqual(
      {
        used: live.used,
        quota: live.quota,
        active: live.active,
        grantor: live.grantor,
        title: (live.dataset as { title: string }).title,
      },
      { used: world.receiptCount, quota: 40, active: true, grantor: OWNER, title: "Property ownership" },
    );
    assert.equal((byId.get(world.grants.expired) as { active: boolean }).active, false);
    assert.equal(byId.has(world.grants.other), false, "another agency's grant is not listed");

    const issued = await gql(url, q, { role: "ISSUED" });
    assert.deepEqual(
      issued.body.data.grants.edges.map((e: { node: { grantId: string; grantee: string } }) => [
        e.node.grantId,
        e.node.grantee,
      ]),
      [[world.grants.issuedBySelf, OTHER]],
    );
    const active = await gql(url, q, { role: "ALL", active: true });
    assert.deepEqual(
      active.body.data.grants.edges.map((e: { node: { grantId: string } }) => e.node.grantId).sort(),
      [world.grants.live, world.grants.issuedBySelf].sort(),
    );
  });

  it("pages the access log with cursors: every receipt once, in (time, id) order", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    for (;;) {
      const res = await gql(url, LOG, { first: 4, after: cursor });
      assert.deepEqual(res.body.errors, undefined);
      const log = res.body.data.accessLog;
      pages++;
      assert.equal(log.pageInfo.hasPreviousPage, cursor !== null);
      for (const e of log.edges) {
        assert.equal(e.node.requester, SELF);
        assert.equal(e.node.provider, OWNER);
        seen.push(`${e.node.time}/${e.node.receiptId}`);
      }
      cursor = log.pageInfo.endCursor;
      if (!log.pageInfo.hasNextPage) break;
    }
    assert.equal(pages, Math.ceil(world.receiptCount / 4));
    assert.equal(seen.length, world.receiptCount);
    assert.equal(new Set(seen).size, world.receiptCount);
    assert.deepEqual(seen, [...seen].sort());

    // Resuming from a cursor in the middle of a page continues right after that edge.
    const first = await gql(url, LOG, { first: 6 });
    const middle = first.body.data.accessLog.edges[2].cursor;
    const resumed = await gql(url, LOG, { first: 2, after: middle });
    assert.deepEqual(
      resumed.body.data.accessLog.edges.map((e: { node: { receiptId: string } }) => e.node.receiptId),
      first.body.data.accessLog.edges
        .slice(3, 5)
        .map((e: { node: { receiptId: string } }) => e.node.receiptId),
    );
  });

  it("filters the access log by role, grant and time", async () => {
    const issued = await gql(url, LOG, { filter: { role: "ISSUED" } });
    assert.deepEqual(issued.body.data.accessLog.edges, [], "SELF served no calls");
    const byGrant = await gql(url, LOG, { first: 100, filter: { grantId: world.grants.live } });
    assert.equal(byGrant.body.data.accessLog.edges.length, world.receiptCount);
    const times = [
      ...new Set(byGrant.body.data.accessLog.edges.map((e: { node: { time: string } }) => e.node.time)),
    ];
    assert.equal(times.length, 3, "three blocks of receipts");
    const fromSecond = await gql(url, LOG, { first: 100, filter: { from: times[1], to: times[2] } });
    assert.equal(fromSecond.body.data.accessLog.edges.length, 8);
    const bad = await gql(url, LOG, { filter: { from: times[2], to: times[0] } });
    assert.deepEqual(codes(bad.body), ["BAD_USER_INPUT"]);
    const forged = await gql(url, LOG, {
      after: Buffer.from(JSON.stringify({ a: null, s: 5000 })).toString("base64url"),
    });
    assert.deepEqual(codes(forged.body), ["BAD_USER_INPUT"]);
  });

  it("shows credit accounts and ranks agencies and regions", async () => {
    const res = await gql(
      url,
      `{ account(agency: "${OTHER}") { balance seq } accounts(first: 2) { totalCount edges { node { agency balance } } pageInfo { hasNextPage } }
      credits: rankings(by: CREDITS, scope: AGENCY, first: 3) { rank subject value }
      contributions: rankings(by: CONTRIBUTIONS, scope: REGION) { rank subject value } }`,
    );
    assert.deepEqual(res.body.errors, undefined);
    assert.deepEqual(res.body.data.account, { balance: "700", seq: 0 });
    assert.equal(res.body.data.accounts.totalCount, 4);
    assert.equal(res.body.data.accounts.pageInfo.hasNextPage, true);
    const balances = new Map(
      res.body.data.credits.map((r: { subject: string; value: string }) => [r.subject, BigInt(r.value)]),
    );
    assert.deepEqual(
      res.body.data.credits.map((r: { rank: number }) => r.rank),
      [1, 2, 3],
    );
    const values = [...balances.values()] as bigint[];
    assert.ok(values[0]! >= values[1]! && values[1]! >= values[2]!, "ranked by balance, highest first");
    assert.deepEqual(res.body.data.contributions[0], {
      rank: 1,
      subject: "CN-SH",
      value: String(world.receiptCount),
    });
  });
});
