import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { GatewayError } from "../../src/errors.js";
import { createGatewayServer, type GatewayServer } from "../../src/server.js";
import { codes, gql } from "./client.js";
import { buildWorld, OWNER, officialOf, ScriptedFederation, type World } from "./fixtures.js";

const PROPERTY = `region(id: "CN-SH") { agency(id: "${OWNER}") { dataset(id: "sh/property") {`;

describe("officials' endpoint: dataset query kinds through the federation client", () => {
  let world: World;
  let server: GatewayServer;
  let url: string;
  const federation = new ScriptedFederation();
  before(async () => {
    world = await buildWorld();
    server = createGatewayServer({ officialRateLimit: null })({ official: officialOf(world, federation) });
    url = await server.listen();
  });
  after(async () => {
    await server.close();
    await world.close();
  });
  beforeEach(() => {
    federation.calls.length = 0;
    federation.fail = null;
  });

  it("answers a count with its proof and receipt, under the live grant", async () => {
    const res = await gql(
      url,
      `{ ${PROPERTY} count(field: "area", from: "50", to: "120.5") {
      provider dataset count proof { system verified commitment circuit } receipt { id } } } } } }`,
    );
    assert.deepEqual(res.body.errors, undefined);
    const answer = res.body.data.region.agency.dataset.count;
    assert.equal(answer.count, 42);
    assert.deepEqual(answer.proof, {
      system: "groth16",
      verified: true,
      commitment: "ab".repeat(32),
      circuit: "count-d20",
    });
    assert.match(answer.receipt.id, /^[0-9a-f]{64}$/);
    assert.deepEqual(federation.calls, [
      {
        provider: OWNER,
        dataset: "sh/property",
        grant: world.grants.live,
        query: { kind: "count", field: "area", from: "50", to: "120.5" },
      },
    ]);
  });

  it("looks up only the granted non-personal fields asked for, even if the provider sends more", async () => {
    const res = await gql(
      url,
      `{ ${PROPERTY} lookup(key: "parcel-1", fields: ["district"]) { found fields { name value } proof { system } receipt { id } } } } } }`,
    );
    assert.deepEqual(res.body.data.region.agency.dataset.lookup.fields, [
      { name: "district", value: "Xuhui" },
    ]);
    assert.equal(res.body.data.region.agency.dataset.lookup.proof, null);
    assert.doesNotMatch(JSON.stringify(res.body), /P-SECRET/);
    const personal = await gql(
      url,
      `{ ${PROPERTY} lookup(key: "parcel-1", fields: ["ownerId"]) { found } } } } }`,
    );
    assert.deepEqual(codes(personal.body), ["FORBIDDEN"]);
    const outside = await gql(
      url,
      `{ ${PROPERTY} lookup(key: "parcel-1", fields: ["builtOn"]) { found } } } } }`,
    );
    assert.deepEqual(codes(outside.body), ["FORBIDDEN"]);
    const unknown = await gql(
      url,
      `{ ${PROPERTY} lookup(key: "parcel-1", fields: ["nope"]) { found } } } } }`,
    );
    assert.deepEqual(codes(unknown.body), ["BAD_USER_INPUT"]);
    assert.equal(federation.calls.length, 1, "refused lookups never leave the agency");
  });

  it("checks arguments against the field schema before calling", async () => {
    const notIndexed = await gql(
      url,
      `{ ${PROPERTY} count(field: "district", from: "a", to: "b") { count } } } } }`,
    );
    assert.deepEqual(codes(notIndexed.body), ["BAD_USER_INPUT"]);
    const badDecimal = await gql(
      url,
      `{ ${PROPERTY} sum(field: "area", from: "1e9", to: "2", sumField: "area") { sum } } } } }`,
    );
    assert.deepEqual(codes(badDecimal.body), ["BAD_USER_INPUT"]);
    assert.equal(federation.calls.length, 0);
    const sum = await gql(
      url,
      `{ ${PROPERTY} sum(field: "area", from: "1", to: "2", sumField: "area") { count sum proof { verified } } } } } }`,
    );
    assert.deepEqual(sum.body.data.region.agency.dataset.sum, {
      count: 3,
      sum: "250.5",
      proof: { verified: true },
    });
  });

  it("refuses without a usable grant: kind not granted, expired, frozen dataset", async () => {
    // threshold is allowed by the dataset but not by SELF's grant.
    const threshold = await gql(
      url,
      `{ ${PROPERTY} threshold(key: "k", field: "area", op: GTE, value: "10") { holds } } } } }`,
    );
    assert.deepEqual(codes(threshold.body), ["GRANT_REQUIRED"]);
    const named = await gql(
      url,
      `{ ${PROPERTY} count(field: "area", from: "1", to: "2", grant: "${world.grants.other}") { count } } } } }`,
    );
    assert.deepEqual(codes(named.body), ["GRANT_REQUIRED"], "another agency's grant cannot be used");
    const permits = await gql(
      url,
      `{ region(id: "CN-SH") { agency(id: "${OWNER}") { dataset(id: "sh/permits") { count(field: "area", from: "1", to: "2") { count } } } } }`,
    );
    assert.deepEqual(codes(permits.body), ["FROZEN"]);
    const filter = await gql(
      url,
      `{ ${PROPERTY} filter(where: [{ field: "area", op: GTE, value: "1" }], aggregate: COUNT) { count } } } } }`,
    );
    assert.deepEqual(codes(filter.body), ["FORBIDDEN"], "the dataset does not offer filter");
    assert.equal(federation.calls.length, 0);
  });

  it("passes a provider's refusal code through and masks anything else", async () => {
    federation.fail = new GatewayError("QUOTA_EXCEEDED", "quota used up", { usedSoFar: 40 });
    const quota = await gql(url, `{ ${PROPERTY} membership(key: "k") { member } } } } }`);
    assert.deepEqual(codes(quota.body), ["QUOTA_EXCEEDED"]);
    assert.doesNotMatch(JSON.stringify(quota.body), /usedSoFar/, "details stay on the server");
    federation.fail = new Error("connect ECONNREFUSED 10.0.0.7:443 select * from rows");
    const crash = await gql(url, `{ ${PROPERTY} membership(key: "k") { member } } } } }`);
    assert.deepEqual(codes(crash.body), ["INTERNAL"]);
    assert.equal(crash.body.errors?.[0]?.message, "Unexpected error.");
    assert.doesNotMatch(JSON.stringify(crash.body), /ECONNREFUSED|select/);
  });
});
