import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { codes, gql } from "./client.js";
import { OTHER, OWNER, SELF, serveWorld } from "./fixtures.js";

describe("officials' endpoint: agencies, regions, catalog", () => {
  let url: string;
  let close: () => Promise<void>;
  before(async () => {
    ({ url, close } = await serveWorld());
  });
  after(() => close());

  it("names this agency and the regions with their agencies", async () => {
    const { status, body } = await gql(
      url,
      "{ self { agencyId region { id } roles account { balance } } regions { id agencies { agencyId } } }",
    );
    assert.equal(status, 200);
    assert.deepEqual(body.errors, undefined);
    assert.deepEqual(body.data.self, {
      agencyId: SELF,
      region: { id: "CN-BJ" },
      roles: ["VALIDATOR", "MEMBER"],
      // 500 at genesis, less the fees of its 23 recorded calls to a dataset priced 2.
      account: { balance: "454" },
    });
    assert.deepEqual(
      body.data.regions.map((r: { id: string }) => r.id),
      ["CN", "CN-BJ", "CN-GD", "CN-SH"],
    );
    const sh = body.data.regions.find((r: { id: string }) => r.id === "CN-SH");
    assert.deepEqual(sh.agencies, [{ agencyId: OWNER }]);
  });

  it("reaches a dataset through region → agency → dataset, with its field schema", async () => {
    const { body } = await gql(
      url,
      `{ region(id: "CN-SH") { agency(id: "${OWNER}") { dataset(id: "sh/property") {
          datasetId owner { agencyId } queryKinds fields { name type indexed personal } price frozen commitment { root } } } } }`,
    );
    assert.deepEqual(body.errors, undefined);
    const d = body.data.region.agency.dataset;
    assert.equal(d.datasetId, "sh/property");
    assert.equal(d.owner.agencyId, OWNER);
    assert.deepEqual(d.queryKinds, ["LOOKUP", "COUNT", "MEMBERSHIP", "THRESHOLD", "SUM"]);
    assert.deepEqual(d.fields[0], { name: "ownerId", type: "STRING", indexed: true, personal: true });
    assert.equal(d.price, "2");
    assert.equal(d.frozen, false);
    assert.equal(d.commitment, null);
    // An agency in another region is not reachable under this one, nor another agency's dataset under this one.
    const miss = await gql(
      url,
      `{ region(id: "CN-SH") { agency(id: "${SELF}") { agencyId } } bj: region(id: "CN-BJ") { agency(id: "${SELF}") { dataset(id: "sh/property") { datasetId } } } }`,
    );
    assert.deepEqual(miss.body.data, { region: { agency: null }, bj: { agency: { dataset: null } } });
  });

  it("filters the catalog and pages it with cursors", async () => {
    const all = await gql(url, "{ catalog { totalCount edges { node { datasetId frozen } } } }");
    assert.deepEqual(
      all.body.data.catalog.edges.map((e: { node: { datasetId: string; frozen: boolean } }) => [
        e.node.datasetId,
        e.node.frozen,
      ]),
      [
        ["bj/households", false],
        ["sh/permits", true],
        ["sh/property", false],
      ],
    );
    const owned = await gql(
      url,
      `{ catalog(filter: { owner: "${OWNER}", queryKind: COUNT }) { totalCount } }`,
    );
    assert.equal(owned.body.data.catalog.totalCount, 2);
    const text = await gql(
      url,
      `{ catalog(filter: { text: "HOUSEHOLD", region: "CN-BJ" }) { edges { node { datasetId } } } }`,
    );
    assert.deepEqual(text.body.data.catalog.edges, [{ node: { datasetId: "bj/households" } }]);

    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 5; page++) {
      const res = await gql(
        url,
        "query($after: String) { catalog(first: 2, after: $after) { edges { cursor node { datasetId } } pageInfo { hasNextPage hasPreviousPage endCursor } } }",
        { after: cursor },
      );
      const c = res.body.data.catalog;
      seen.push(...c.edges.map((e: { node: { datasetId: string } }) => e.node.datasetId));
      assert.equal(c.pageInfo.hasPreviousPage, cursor !== null);
      cursor = c.pageInfo.endCursor;
      if (!c.pageInfo.hasNextPage) break;
    }
    assert.deepEqual(seen, ["bj/households", "sh/permits", "sh/property"]);
  });

  it("refuses bad paging arguments with BAD_USER_INPUT", async () => {
    const big = await gql(url, "{ catalog(first: 1000) { totalCount } }");
    assert.deepEqual(codes(big.body), ["BAD_USER_INPUT"]);
    const cursor = await gql(url, `{ catalog(after: "not-a-cursor") { totalCount } }`);
    assert.deepEqual(codes(cursor.body), ["BAD_USER_INPUT"]);
  });

  it("fetches agencies and datasets by global id", async () => {
    const ids = await gql(url, `{ catalog(first: 1) { edges { node { id } } } self { id } }`);
    const datasetId = ids.body.data.catalog.edges[0].node.id;
    const res = await gql(
      url,
      `query($a: ID!, $b: ID!) { a: node(id: $a) { __typename ... on Dataset { datasetId } } b: node(id: $b) { __typename ... on Agency { agencyId } } }`,
      { a: datasetId, b: ids.body.data.self.id },
    );
    assert.deepEqual(res.body.data, {
      a: { __typename: "Dataset", datasetId: "bj/households" },
      b: { __typename: "Agency", agencyId: SELF },
    });
    assert.equal(OTHER, "gz.tax");
  });
});
