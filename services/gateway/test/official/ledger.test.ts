import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { toHex } from "@coken/ledger";
import { createGatewayServer, type GatewayServer } from "../../src/server.js";
import { codes, gql } from "./client.js";
import { buildWorld, officialOf, ScriptedFederation, type World } from "./fixtures.js";

describe("officials' endpoint: ledger views", () => {
  let world: World;
  let server: GatewayServer;
  let url: string;
  let head: number;
  before(async () => {
    world = await buildWorld();
    server = createGatewayServer({ officialRateLimit: null })({
      official: officialOf(world, new ScriptedFederation()),
    });
    url = await server.listen();
    head = world.chain.stored.ledger.head.height;
  });
  after(async () => {
    await server.close();
    await world.close();
  });

  const BLOCKS = `query($order: Order, $first: Int, $after: String) { blocks(order: $order, first: $first, after: $after) {
    edges { cursor node { height hash txCount } } pageInfo { hasNextPage hasPreviousPage endCursor } } }`;

  async function walk(order: "ASC" | "DESC", first: number): Promise<number[]> {
    const heights: number[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 50; i++) {
      const res = await gql(url, BLOCKS, { order, first, after: cursor });
      assert.deepEqual(res.body.errors, undefined);
      heights.push(...res.body.data.blocks.edges.map((e: { node: { height: number } }) => e.node.height));
      cursor = res.body.data.blocks.pageInfo.endCursor;
      if (!res.body.data.blocks.pageInfo.hasNextPage) return heights;
    }
    throw new Error("paging did not end");
  }

  it("pages blocks newest first and oldest first, each height once", async () => {
    const all = Array.from({ length: head + 1 }, (_, i) => i);
    assert.deepEqual(await walk("DESC", 3), [...all].reverse());
    assert.deepEqual(await walk("ASC", 4), all);
  });

  it("finds a block by height and by hash, and a tx by hash, also through node ids", async () => {
    const byHeight = await gql(
      url,
      `{ block(height: 2) { id height hash prevHash time proposer txCount txs(first: 2) { edges { node { id hash kind sender index resultCode size height } } pageInfo { hasNextPage } } } }`,
    );
    const block = byHeight.body.data.block;
    assert.equal(block.height, 2);
    assert.equal(block.txCount, 4);
    assert.equal(block.txs.pageInfo.hasNextPage, true);
    assert.deepEqual(
      block.txs.edges.map((e: { node: { kind: string } }) => e.node.kind),
      ["grant.issue", "grant.issue"],
    );
    const stored = await world.store.ledger.getBlock(2);
    assert.equal(block.hash, toHex(stored!.hash));

    const byHash = await gql(url, `query($h: Hex!) { block(hash: $h) { height } }`, { h: block.hash });
    assert.deepEqual(byHash.body.data.block, { height: 2 });
    const tx = block.txs.edges[0].node;
    const txRes = await gql(url, `query($h: Hex!) { tx(hash: $h) { height index kind resultCode } }`, {
      h: tx.hash,
    });
    assert.deepEqual(txRes.body.data.tx, { height: 2, index: 0, kind: "grant.issue", resultCode: null });

    const nodes = await gql(
      url,
      `query($b: ID!, $t: ID!) { b: node(id: $b) { ... on Block { height } } t: node(id: $t) { ... on Tx { kind } } }`,
      { b: block.id, t: tx.id },
    );
    assert.deepEqual(nodes.body.data, { b: { height: 2 }, t: { kind: "grant.issue" } });

    const missing = await gql(
      url,
      `{ block(height: 9999) { height } tx(hash: "${"00".repeat(32)}") { kind } }`,
    );
    assert.deepEqual(missing.body.data, { block: null, tx: null });
    const both = await gql(url, `{ block(height: 1, hash: "00") { height } }`);
    assert.deepEqual(codes(both.body), ["BAD_USER_INPUT"]);
    const notHex = await gql(url, `{ tx(hash: "XYZ") { kind } }`);
    assert.equal(notHex.status, 400, "a literal that is not Hex fails validation");
  });

  it("pages transactions newest first across blocks", async () => {
    const kinds: string[] = [];
    const positions: string[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 20; i++) {
      const res = await gql(
        url,
        `query($after: String) { transactions(first: 3, after: $after) { edges { node { height index kind } } pageInfo { hasNextPage endCursor } } }`,
        { after: cursor },
      );
      const t = res.body.data.transactions;
      for (const e of t.edges) {
        kinds.push(e.node.kind);
        positions.push(`${e.node.height}.${e.node.index}`);
      }
      cursor = t.pageInfo.endCursor;
      if (!t.pageInfo.hasNextPage) break;
    }
    // 3 publishes, 4 grants, 3 access records, 1 freeze.
    assert.equal(kinds.length, 11);
    assert.equal(new Set(positions).size, 11);
    assert.equal(kinds[0], "regulator.freeze");
    assert.equal(kinds.at(-1), "dataset.publish");
  });

  it("pages a receipt through its node id", async () => {
    const log = await gql(url, "{ accessLog(first: 1) { edges { node { id receiptId } } } }");
    const node = log.body.data.accessLog.edges[0].node;
    const res = await gql(url, `query($id: ID!) { node(id: $id) { ... on AccessReceipt { receiptId } } }`, {
      id: node.id,
    });
    assert.deepEqual(res.body.data.node, { receiptId: node.receiptId });
  });
});
