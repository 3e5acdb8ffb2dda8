import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { type DatasetCommitment, keys, receiptId, toHex } from "@coken/ledger";
import { commitmentHistory } from "../../src/official/commitment-history.js";
import type { ChainRecords, OfficialComponents } from "../../src/official/models.js";
import { createGatewayServer, type GatewayServer } from "../../src/server.js";
import { proofHash } from "../../src/signing/hashes.js";
import { codes, gql } from "./client.js";
import { buildWorld, dataset, OWNER, officialOf, ScriptedFederation, SELF, type World } from "./fixtures.js";

const HISTORY = `query($dataset: String!, $first: Int, $after: String) {
  commitmentHistory(dataset: $dataset, first: $first, after: $after) {
    totalCount edges { cursor node { version root rowCount indexedFields height time txHash } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
  } }`;

const commitmentOf = (n: number): DatasetCommitment => ({
  scheme: "test",
  root: new Uint8Array(createHash("sha256").update(`root ${n}`).digest()),
  rowCount: 10 * n,
  indexedFields: ["area"],
  verifyingKeys: [],
});

interface Version {
  version: number;
  root: string;
  rowCount: number;
  height: number;
  time: string;
  txHash: string;
}

/**
 * The officials' view of a dataset over time: its commitment history (from the owner's stored transactions,
 * numbered from ledger state), its quality score on the catalog, and each receipt's proof status.
 */
describe("officials' endpoint: commitment history, quality, proof status", () => {
  let world: World;
  const servers: GatewayServer[] = [];
  /** What each commitment of sh/parcels should read: version → (root, rows, height, block time, tx hash). */
  const expected: Version[] = [];
  const unproved = { id: "", attested: "" };

  const serve = async (official: OfficialComponents) => {
    const server = createGatewayServer({ officialRateLimit: null })({ official });
    servers.push(server);
    return server.listen();
  };

  before(async () => {
    world = await buildWorld();
    const { chain } = world;
    const h = chain.stored.ledger.hasher;
    // sh/parcels: v1 at publication, v2 and v3 in one block, v4 later; the owner commits its other dataset
    // in between, and another agency commits its own.
    const plan: [string, (n: number) => Uint8Array][][] = [
      [
        [
          "sh/parcels",
          (n) => chain.tx(OWNER, "dataset.publish", dataset("sh/parcels", { commitment: commitmentOf(n) })),
        ],
        [
          "sh/property",
          () => chain.tx(OWNER, "dataset.commit", { dataset: "sh/property", commitment: commitmentOf(100) }),
        ],
      ],
      [
        [
          "sh/parcels",
          (n) => chain.tx(OWNER, "dataset.commit", { dataset: "sh/parcels", commitment: commitmentOf(n) }),
        ],
        [
          "bj/households",
          () =>
            chain.tx(SELF, "dataset.commit", {
              dataset: "bj/households",
              commitment: { ...commitmentOf(7), indexedFields: [] },
            }),
        ],
        [
          "sh/parcels",
          (n) => chain.tx(OWNER, "dataset.commit", { dataset: "sh/parcels", commitment: commitmentOf(n) }),
        ],
      ],
      [
        [
          "sh/property",
          () => chain.tx(OWNER, "dataset.commit", { dataset: "sh/property", commitment: commitmentOf(101) }),
        ],
      ],
      [
        [
          "sh/parcels",
          (n) => chain.tx(OWNER, "dataset.commit", { dataset: "sh/parcels", commitment: commitmentOf(n) }),
        ],
      ],
    ];
    let version = 0;
    for (const block of plan) {
      const versions = block.map(([id]) => (id === "sh/parcels" ? ++version : 0));
      await chain.commit(block.map(([, make], i) => make(versions[i] ?? 0)));
      const stored = await world.store.ledger.getBlock(chain.stored.ledger.head.height);
      assert.ok(stored !== null);
      versions.forEach((v, i) => {
        const tx = stored.txs[i];
        if (v === 0 || tx === undefined) return;
        const c = commitmentOf(v);
        const time = new Date(stored.timeMs).toISOString();
        expected.push({
          version: v,
          root: toHex(c.root),
          rowCount: c.rowCount,
          height: stored.height,
          time,
          txHash: toHex(tx.hash),
        });
      });
    }
    expected.reverse();

    // One lookup's receipt (no proof) and one recorded without the requester's co-signature.
    const [lookup, attested] = chain.receipts(world.grants.live, "sh/property", OWNER, SELF, 2);
    assert.ok(lookup && attested);
    lookup.queryKind = "lookup";
    lookup.proofHash = proofHash(h, null);
    await chain.commit([chain.record(OWNER, SELF, [lookup, attested])]);
    unproved.id = toHex(receiptId(h, lookup));
    unproved.attested = toHex(receiptId(h, attested));
  });
  after(async () => {
    for (const s of servers) await s.close();
    await world.close();
  });

  it("pages a dataset's commitments newest first, each with its version, block and transaction", async () => {
    const url = await serve(officialOf(world, new ScriptedFederation()));
    const first = await gql(url, HISTORY, { dataset: "sh/parcels", first: 3 });
    assert.deepEqual(codes(first.body), []);
    const page = first.body.data.commitmentHistory;
    assert.equal(page.totalCount, 4);
    const versions = (p: { edges: { node: Version & { indexedFields: string[] } }[] }) =>
      p.edges.map(({ node }) => ({
        version: node.version,
        root: node.root,
        rowCount: node.rowCount,
        height: node.height,
        time: node.time,
        txHash: node.txHash,
      }));
    assert.deepEqual(versions(page), expected.slice(0, 3));
    assert.deepEqual(page.edges[0].node.indexedFields, ["area"]);
    assert.equal(page.pageInfo.hasNextPage, true);
    assert.equal(page.edges[1].node.height, page.edges[2].node.height, "v3 and v2 share a block");
    const rest = await gql(url, HISTORY, { dataset: "sh/parcels", first: 3, after: page.pageInfo.endCursor });
    assert.deepEqual(versions(rest.body.data.commitmentHistory), expected.slice(3));
    assert.deepEqual(rest.body.data.commitmentHistory.pageInfo, {
      hasNextPage: false,
      hasPreviousPage: true,
      endCursor: rest.body.data.commitmentHistory.edges[0].cursor,
    });
    // The current commitment is the newest version of the history.
    const current = await gql(
      url,
      `{ region(id: "CN-SH") { agency(id: "${OWNER}") { dataset(id: "sh/parcels") { commitment { version root committedAt } } } } }`,
    );
    assert.deepEqual(current.body.data.region.agency.dataset.commitment, {
      version: 4,
      root: expected[0]?.root,
      committedAt: expected[0]?.height,
    });
  });

  it("answers an empty history for a dataset never committed or unknown, and refuses bad arguments", async () => {
    const url = await serve(officialOf(world, new ScriptedFederation()));
    for (const id of ["sh/permits", "no/such"]) {
      const r = await gql(url, HISTORY, { dataset: id });
      assert.deepEqual(r.body.data.commitmentHistory, {
        totalCount: 0,
        edges: [],
        pageInfo: { hasNextPage: false, hasPreviousPage: false, endCursor: null },
      });
    }
    const bad = await gql(url, HISTORY, { dataset: "sh/parcels", after: "bm90IGEgY3Vyc29y" });
    assert.deepEqual(codes(bad.body), ["BAD_USER_INPUT"]);
    const big = await gql(url, HISTORY, { dataset: "sh/parcels", first: 101 });
    assert.deepEqual(codes(big.body), ["BAD_USER_INPUT"]);
    const beyond = Buffer.from(JSON.stringify({ h: 1, i: 0, v: 9 })).toString("base64url");
    const forged = await gql(url, HISTORY, { dataset: "sh/parcels", after: beyond });
    assert.deepEqual(codes(forged.body), ["BAD_USER_INPUT"]);
  });

  it("says STORE_BEHIND while the block of the newest version is in ledger state but not yet stored", async () => {
    const stored = world.store.ledger;
    const lagging: ChainRecords = {
      latestHeight: () => stored.latestHeight(),
      getBlock: (height) => stored.getBlock(height),
      getBlockByHash: (hash) => stored.getBlockByHash(hash),
      listBlocks: (from, limit) => stored.listBlocks(from, limit),
      getTx: (hash) => stored.getTx(hash),
      queryReceipts: (query) => stored.queryReceipts(query),
      // The store as it is while the newest version's block is being written.
      datasetTxs: (query) => stored.datasetTxs({ ...query, toHeight: (expected[0]?.height ?? 0) - 1 }),
    };
    const url = await serve({ ...officialOf(world, new ScriptedFederation()), chain: lagging });
    const r = await gql(url, HISTORY, { dataset: "sh/parcels" });
    assert.deepEqual(codes(r.body), ["STORE_BEHIND"]);
  });

  it("resumes a scan stopped by its bound where it stopped, and still lists every version once", async () => {
    const { ledger } = officialOf(world, new ScriptedFederation());
    const seen: number[] = [];
    let after: string | null = null;
    let pages = 0;
    // One stored transaction read per request: pages stop on other datasets' transactions, some empty.
    for (; pages < 20; pages++) {
      const page = await commitmentHistory(ledger, world.store.ledger, "sh/parcels", 2, after, {
        batch: 1,
        max: 1,
      });
      seen.push(...page.edges.map((e) => e.node.version));
      if (!page.pageInfo.hasNextPage) break;
      assert.ok(page.pageInfo.endCursor !== null, "a page that did not finish names where to go on");
      after = page.pageInfo.endCursor;
    }
    assert.deepEqual(seen, [4, 3, 2, 1]);
    assert.ok(pages > 4, "some pages stopped on the bound");
  });

  it("shows each dataset's quality score on the catalog, as datasetQuality computes it", async () => {
    const url = await serve(officialOf(world, new ScriptedFederation()));
    const q = "dataset freshness completeness success score commits onTime disputed accessCount";
    const r = await gql(
      url,
      `{ catalog(first: 10) { edges { node { datasetId quality { ${q} } } } } p: datasetQuality(dataset: "sh/parcels") { ${q} } }`,
    );
    assert.deepEqual(codes(r.body), []);
    const parcels = r.body.data.catalog.edges.find(
      (e: { node: { datasetId: string } }) => e.node.datasetId === "sh/parcels",
    );
    assert.deepEqual(parcels.node.quality, r.body.data.p);
    assert.equal(parcels.node.quality.commits, 4);
  });

  it("gives each receipt's proof status: verified when co-signed, unconfirmed when attested, none for a lookup", async () => {
    const base = officialOf(world, new ScriptedFederation());
    const state = base.ledger;
    // The attested record access.attest would have left for the second receipt.
    const attestedKey = keys.attested(unproved.attested);
    const ledger: OfficialComponents["ledger"] = {
      hasher: state.hasher,
      entries: () => state.entries(),
      get: ((key: string) =>
        key === attestedKey
          ? {
              id: new Uint8Array(32),
              provider: OWNER,
              requester: SELF,
              grant: world.grants.live,
              dataset: "sh/property",
              queryKind: "count",
              time: 0,
              recordedAt: 1,
              recordedTime: 0,
              dispute: null,
            }
          : state.get(key as never)) as typeof state.get,
    };
    const url = await serve({ ...base, ledger });
    const r = await gql(url, "{ accessLog(first: 100) { edges { node { receiptId recording proof } } } }");
    assert.deepEqual(codes(r.body), []);
    const status = new Map(
      r.body.data.accessLog.edges.map(
        (e: { node: { receiptId: string; recording: string; proof: string } }) => [
          e.node.receiptId,
          `${e.node.recording} ${e.node.proof}`,
        ],
      ),
    );
    assert.equal(status.get(unproved.id), "ACKNOWLEDGED NOT_PROVED");
    assert.equal(status.get(unproved.attested), "ATTESTED UNCONFIRMED");
    const others = [...status].filter(([id]) => id !== unproved.id && id !== unproved.attested);
    assert.equal(others.length, world.receiptCount);
    assert.ok(others.every(([, s]) => s === "ACKNOWLEDGED VERIFIED"));
  });
});
