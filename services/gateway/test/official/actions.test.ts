import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { toHex } from "@coken/ledger";
import { documentId, parseManifest } from "../../src/hardening/persisted.js";
import type { OwnTxSubmitter } from "../../src/official/models.js";
import { createGatewayServer, type GatewayServer } from "../../src/server.js";
import { codes, gql } from "./client.js";
import {
  buildWorld,
  NOW,
  OTHER,
  OWNER,
  officialOf,
  REGULATOR,
  ScriptedFederation,
  SELF,
  T0,
  type World,
} from "./fixtures.js";

const ISSUE = `mutation($input: IssueGrantInput!) { issueGrant(input: $input) { txId kind } }`;
const REVOKE = `mutation($grant: String!, $reason: String!) { revokeGrant(grant: $grant, reason: $reason) { txId kind } }`;
const FREEZE = `mutation($target: FreezeTargetInput!, $reason: String!) { freeze(target: $target, reason: $reason) { txId } }`;
const UNFREEZE = `mutation($target: FreezeTargetInput!, $reason: String!) { unfreeze(target: $target, reason: $reason) { txId } }`;
const FREEZES = `{ freezes { kind targetId reason by height time rule approvals approvalsNeeded } }`;
const ISSUED = `{ grants(role: ISSUED) { edges { node { grantId grantee purpose quota queryKinds revoked revokedReason } } } }`;

const grantInput = (overrides: Record<string, unknown> = {}) => ({
  dataset: "sh/property",
  grantee: OTHER,
  queryKinds: ["COUNT"],
  fields: ["district"],
  purpose: "zoning study",
  quota: 7,
  expiresAt: new Date(T0 + 10 * 86_400_000).toISOString(),
  ...overrides,
});

/**
 * The officials' mutations, each served by a gateway of one agency whose submitter signs with that agency's key
 * into a pending list (the peer hands it to its mempool); the test commits the pending txs as the next block.
 */
describe("officials' endpoint: grant and freeze actions", () => {
  let world: World;
  const pending: Uint8Array[] = [];
  const servers: GatewayServer[] = [];
  const urls: Record<string, string> = {};

  const submitterFor =
    (agency: string): OwnTxSubmitter =>
    (kind, payload) => {
      const raw = world.chain.tx(agency, kind, payload);
      pending.push(raw);
      return toHex(createHash("sha256").update(raw).digest());
    };
  const commitPending = async () => {
    await world.chain.commit(pending.splice(0));
  };

  before(async () => {
    world = await buildWorld();
    for (const agency of [OWNER, SELF, REGULATOR]) {
      const server = createGatewayServer({ officialRateLimit: null })({
        official: { ...officialOf(world, new ScriptedFederation(), agency), actions: submitterFor(agency) },
      });
      urls[agency] = await server.listen();
      servers.push(server);
    }
  });
  after(async () => {
    for (const s of servers) await s.close();
    await world.close();
  });

  it("issues a grant signed by this agency, which the ledger then holds", async () => {
    const r = await gql(urls[OWNER] as string, ISSUE, { input: grantInput() });
    assert.deepEqual(codes(r.body), []);
    assert.equal(r.body.data.issueGrant.kind, "grant.issue");
    assert.match(r.body.data.issueGrant.txId, /^[0-9a-f]{64}$/);
    assert.equal(pending.length, 1);
    await commitPending();
    const issued = await gql(urls[OWNER] as string, ISSUED);
    const grant = issued.body.data.grants.edges
      .map((e: { node: Record<string, unknown> }) => e.node)
      .find((g: Record<string, unknown>) => g.purpose === "zoning study");
    assert.deepEqual(
      { grantee: grant?.grantee, quota: grant?.quota, kinds: grant?.queryKinds },
      { grantee: OTHER, quota: 7, kinds: ["COUNT"] },
    );
  });

  it("refuses grants the ledger would refuse, with a typed code and nothing submitted", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ dataset: "bj/households" }, "FORBIDDEN"],
      [{ grantee: "nobody.here" }, "BAD_USER_INPUT"],
      [{ grantee: OWNER }, "BAD_USER_INPUT"],
      [{ queryKinds: ["FILTER"] }, "BAD_USER_INPUT"],
      [{ queryKinds: [] }, "BAD_USER_INPUT"],
      [{ fields: ["no-such-field"] }, "BAD_USER_INPUT"],
      [{ fields: [] }, "BAD_USER_INPUT"],
      [{ quota: 0 }, "BAD_USER_INPUT"],
      [{ expiresAt: new Date(NOW - 1).toISOString() }, "BAD_USER_INPUT"],
      [{ purpose: "   " }, "BAD_USER_INPUT"],
    ];
    for (const [overrides, code] of cases) {
      const r = await gql(urls[OWNER] as string, ISSUE, { input: grantInput(overrides) });
      assert.deepEqual(codes(r.body), [code], JSON.stringify(overrides));
    }
    assert.equal(pending.length, 0);
  });

  it("revokes only grants this agency issued", async () => {
    const mine = await gql(urls[OWNER] as string, REVOKE, {
      grant: world.grants.other,
      reason: "study over",
    });
    assert.deepEqual(codes(mine.body), []);
    await commitPending();
    const issued = await gql(urls[OWNER] as string, ISSUED);
    const revoked = issued.body.data.grants.edges.find(
      (e: { node: { grantId: string } }) => e.node.grantId === world.grants.other,
    ).node;
    assert.deepEqual([revoked.revoked, revoked.revokedReason], [true, "study over"]);
    const again = await gql(urls[OWNER] as string, REVOKE, { grant: world.grants.other, reason: "twice" });
    assert.deepEqual(codes(again.body), ["BAD_USER_INPUT"]);
    const theirs = await gql(urls[SELF] as string, REVOKE, { grant: world.grants.live, reason: "not mine" });
    assert.deepEqual(codes(theirs.body), ["FORBIDDEN"]);
    assert.equal(pending.length, 0);
  });

  it("lets the regulator freeze and unfreeze, lists freezes with reasons, refuses everyone else", async () => {
    const regulator = urls[REGULATOR] as string;
    const before = await gql(regulator, FREEZES);
    assert.deepEqual(
      before.body.data.freezes.map((f: Record<string, unknown>) => [f.kind, f.targetId, f.reason, f.by]),
      [["DATASET", "sh/permits", "audit", REGULATOR]],
    );
    const target = { kind: "AGENCY", id: OTHER };
    const notRegulator = await gql(urls[OWNER] as string, FREEZE, { target, reason: "no" });
    assert.deepEqual(codes(notRegulator.body), ["FORBIDDEN"]);
    const unknown = await gql(regulator, FREEZE, {
      target: { kind: "GRANT", id: "ff".repeat(32) },
      reason: "x",
    });
    assert.deepEqual(codes(unknown.body), ["BAD_USER_INPUT"]);
    assert.deepEqual(codes((await gql(regulator, FREEZE, { target, reason: "suspected misuse" })).body), []);
    await commitPending();
    const frozen = await gql(regulator, `{ freezes(kind: AGENCY) { targetId reason } }`);
    assert.deepEqual(frozen.body.data.freezes, [{ targetId: OTHER, reason: "suspected misuse" }]);
    assert.deepEqual(codes((await gql(regulator, FREEZE, { target, reason: "twice" })).body), [
      "BAD_USER_INPUT",
    ]);
    assert.deepEqual(codes((await gql(regulator, UNFREEZE, { target, reason: "review closed" })).body), []);
    await commitPending();
    const after = await gql(regulator, `{ freezes(kind: AGENCY) { targetId } }`);
    assert.deepEqual(after.body.data.freezes, []);
    const HISTORY = `query($after: String) { freezeHistory(kind: AGENCY, target: "${OTHER}", first: 1, after: $after) {
      totalCount edges { cursor node { n action by reason rule approvals } } pageInfo { hasNextPage } } }`;
    const newest = (await gql(regulator, HISTORY)).body.data.freezeHistory;
    assert.equal(newest.totalCount, 2);
    assert.deepEqual(newest.edges[0].node, {
      n: 1,
      action: "UNFREEZE",
      by: REGULATOR,
      reason: "review closed",
      rule: null,
      approvals: [REGULATOR],
    });
    assert.equal(newest.pageInfo.hasNextPage, true);
    const older = await gql(regulator, HISTORY, { after: newest.edges[0].cursor });
    assert.deepEqual(
      older.body.data.freezeHistory.edges.map((e: { node: { action: string } }) => e.node.action),
      ["FREEZE"],
    );
    assert.equal(older.body.data.freezeHistory.pageInfo.hasNextPage, false);
    const notFrozen = await gql(regulator, UNFREEZE, { target, reason: "again" });
    assert.deepEqual(codes(notFrozen.body), ["BAD_USER_INPUT"]);
  });

  it("refuses actions where the gateway cannot sign, and in production without an authenticated official", async () => {
    const unsigned = createGatewayServer({ officialRateLimit: null })({
      official: officialOf(world, new ScriptedFederation(), OWNER),
    });
    const production = createGatewayServer({
      mode: "production",
      officialRateLimit: null,
      persistedDocuments: parseManifest(JSON.stringify({ [documentId(ISSUE)]: ISSUE })),
    })({
      official: { ...officialOf(world, new ScriptedFederation(), OWNER), actions: submitterFor(OWNER) },
      authenticateOfficial: (headers) => headers.get("x-test-official"),
    });
    try {
      const variables = { input: grantInput({ purpose: "refused" }) };
      const none = await gql(await unsigned.listen(), ISSUE, variables);
      assert.deepEqual(codes(none.body), ["FORBIDDEN"]);
      const url = await production.listen();
      const post = (headers: Record<string, string>) =>
        fetch(`${url}/graphql`, {
          method: "POST",
          headers: { "content-type": "application/json", ...headers },
          body: JSON.stringify({ documentId: documentId(ISSUE), variables }),
        }).then((r) => r.json() as Promise<Parameters<typeof codes>[0]>);
      assert.deepEqual(codes(await post({})), ["UNAUTHENTICATED"]);
      assert.equal(pending.length, 0);
      assert.deepEqual(codes(await post({ "x-test-official": "clerk-7" })), []);
      assert.equal(pending.length, 1);
      pending.splice(0);
    } finally {
      await unsigned.close();
      await production.close();
    }
  });
});
