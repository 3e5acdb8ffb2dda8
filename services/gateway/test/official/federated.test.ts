import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createVerifier, fromHex } from "@coken/ledger";
import { openStore, type Store } from "@coken/store";
import { CallLog } from "../../src/federation/call-log.js";
import { createFederationClient } from "../../src/federation/client.js";
import { createPeerEndpoint, DEFAULT_PEER_ENDPOINT_OPTIONS } from "../../src/provider/endpoint.js";
import { ReceiptIssuer } from "../../src/receipts/issuer.js";
import { createGatewayServer, type GatewayServer } from "../../src/server.js";
import { codes, gql } from "./client.js";
import { buildWorld, NOW, OWNER, SELF, signer, type World } from "./fixtures.js";

const PROPERTY = `region(id: "CN-SH") { agency(id: "${OWNER}") { dataset(id: "sh/property") {`;

describe("officials' endpoint over the real federation client and provider endpoint", () => {
  let world: World;
  let providerStore: Store;
  let server: GatewayServer;
  let url: string;
  before(async () => {
    world = await buildWorld();
    providerStore = await openStore({ kind: "pglite" });
    await providerStore.localData.upsertRows(
      "sh/property",
      [
        {
          key: "parcel-1",
          fields: { ownerId: "P-SECRET", area: "88.5", district: "Xuhui", builtOn: "1999-05-01" },
        },
      ],
      NOW,
    );
    const state = world.chain.stored.ledger.state;
    const hasher = world.chain.stored.ledger.hasher;
    const verifier = createVerifier();
    const repo = providerStore.gateway;
    const askerRepo = world.store.gateway;
    if (repo === undefined || askerRepo === undefined) throw new Error("store without gateway repository");
    const peer = createPeerEndpoint(
      {
        self: OWNER,
        signer: signer(OWNER),
        hasher,
        verifier,
        ledger: state,
        rows: providerStore.localData,
        issuer: await ReceiptIssuer.open(hasher, repo),
        repo,
        now: () => NOW,
      },
      DEFAULT_PEER_ENDPOINT_OPTIONS,
    );
    const federation = createFederationClient({
      self: SELF,
      signer: signer(SELF),
      hasher,
      verifier,
      ledger: state,
      peerUrl: () => "http://provider",
      now: () => NOW,
      fetch: ((u: string | URL | Request, init?: RequestInit) =>
        peer.fetch(String(u), init ?? {})) as typeof fetch,
      calls: askerRepo,
    });
    server = createGatewayServer({ officialRateLimit: null })({
      official: { self: SELF, ledger: state, chain: world.store.ledger, federation, clock: () => NOW },
    });
    url = await server.listen();
  });
  after(async () => {
    await server.close();
    await providerStore.close();
    await world.close();
  });

  it("a lookup asked on /graphql is signed, answered, receipted on both sides and returns only the fields asked", async () => {
    const res = await gql(
      url,
      `{ ${PROPERTY} lookup(key: "parcel-1", fields: ["district", "area"]) {
      provider dataset found fields { name value } proof { system } receipt { id } } } } } }`,
    );
    assert.deepEqual(res.body.errors, undefined);
    const answer = res.body.data.region.agency.dataset.lookup;
    assert.equal(answer.found, true);
    assert.deepEqual(answer.fields, [
      { name: "district", value: "Xuhui" },
      { name: "area", value: "88.5" },
    ]);
    assert.equal(answer.proof, null);
    const id = fromHex(answer.receipt.id);
    assert.ok(id !== undefined && id.length === 32);
    assert.equal(
      (await providerStore.gateway?.issuedReceipt(id))?.status,
      "pending",
      "the provider queued the receipt",
    );
    // The call log is written after the answer; its reads wait for the writes queued before them.
    const logged = world.store.gateway && (await CallLog.of(world.store.gateway).getCalls([id]));
    assert.equal(logged?.length, 1, "the asker logged the call it made");
    assert.doesNotMatch(JSON.stringify(res.body), /P-SECRET|1999-05-01/);
  });

  it("a missing key is answered (not found) and still receipted; a proved kind without a verifier is refused", async () => {
    const res = await gql(
      url,
      `{ ${PROPERTY} lookup(key: "nope", fields: ["area"]) { found fields { name } receipt { id } } } } } }`,
    );
    assert.deepEqual(
      {
        found: res.body.data.region.agency.dataset.lookup.found,
        fields: res.body.data.region.agency.dataset.lookup.fields,
      },
      { found: false, fields: [] },
    );
    const count = await gql(
      url,
      `{ ${PROPERTY} count(field: "area", from: "1", to: "100") { count } } } } }`,
    );
    assert.deepEqual(codes(count.body), ["UNSUPPORTED_QUERY"]);
  });
});
