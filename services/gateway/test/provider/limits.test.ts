import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, beforeEach, describe, it } from "node:test";
import type { StateRecord } from "@coken/ledger";
import { openStore, type Store } from "@coken/store";
import { ANSWER_DOCUMENT } from "../../src/federation/client.js";
import { DEFAULT_PEER_QUERY_LIMITS } from "../../src/provider/limits.js";
import { COSIGN_DOCUMENT } from "../../src/receipts/cosign-client.js";
import { createGatewayServer, type GatewayServer } from "../../src/server.js";
import { documentHash, variablesHash } from "../../src/signing/hashes.js";
import { signRequest, signRequests } from "../../src/signing/wire.js";
import {
  A,
  B,
  baseLedger,
  Clock,
  DATASET,
  GRANT,
  h,
  makeClient,
  makeSide,
  type Side,
  signerOf,
  T0,
} from "./world.js";

interface Result {
  data?: unknown;
  errors?: { message: string; extensions?: { code?: string } }[];
}

const RECEIPT = "query R($id: String!) { receipt(id: $id) { id status height } }";
const ID = "ab".repeat(32);

/** Records every call made on `target` while armed: the store a peer endpoint reads. */
function counted<T extends object>(target: T, calls: string[], armed: () => boolean): T {
  return new Proxy(target, {
    get(t, key) {
      const v = Reflect.get(t, key, t);
      if (typeof v !== "function") return v;
      return (...args: unknown[]) => {
        if (armed()) calls.push(String(key));
        return v.apply(t, args);
      };
    },
  });
}

/** One operation of document `query`, signed by B for A (no dataset call unless it is ANSWER_DOCUMENT). */
function signed(query: string, variables: Record<string, unknown> = {}) {
  const call = query === ANSWER_DOCUMENT;
  const envelope = {
    requester: B,
    provider: A,
    grant: call ? GRANT : null,
    dataset: call ? DATASET : null,
    queryHash: documentHash(h, query),
    variablesHash: variablesHash(h, variables),
    nonce: new Uint8Array(randomBytes(16)),
    time: T0,
    expiresAt: T0 + 60_000,
  };
  return { query, variables, extensions: { coken: signRequest(h, signerOf(B), envelope) } };
}

/** `n` operations of `query`, signed together as one batch. */
function signedBatch(query: string, n: number) {
  const envelopes = Array.from({ length: n }, () => ({
    requester: B,
    provider: A,
    grant: null,
    dataset: null,
    queryHash: documentHash(h, query),
    variablesHash: variablesHash(h, {}),
    nonce: new Uint8Array(randomBytes(16)),
    time: T0,
    expiresAt: T0 + 60_000,
  }));
  const wire = signRequests(h, signerOf(B), envelopes);
  return wire.map((coken) => ({ query, variables: {}, extensions: { coken } }));
}

const aliased = (n: number) =>
  `{ ${Array.from({ length: n }, (_, i) => `r${i}: receipt(id: "${ID}") { id status }`).join(" ")} }`;

describe("document limits at /peer/graphql, over HTTP", () => {
  const clock = new Clock();
  const reads: string[] = [];
  let armed = false;
  let store: Store;
  let side: Side;
  let server: GatewayServer;
  let url: string;

  const post = async (payload: unknown): Promise<{ status: number; body: Result | Result[] }> => {
    const res = await fetch(`${url}/peer/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(payload),
    });
    return { status: res.status, body: (await res.json()) as Result | Result[] };
  };
  const codeOf = (r: Result | Result[]) => (Array.isArray(r) ? r[0] : r)?.errors?.[0]?.extensions?.code;

  before(async () => {
    const ledger = baseLedger();
    store = await openStore({ kind: "pglite" });
    const repo = store.gateway;
    if (repo === undefined) throw new Error("store without gateway repository");
    const watched = {
      gateway: counted(repo, reads, () => armed),
      localData: counted(store.localData, reads, () => armed),
    } as unknown as Store;
    side = await makeSide(A, ledger, clock, { store: watched });
    server = createGatewayServer({ officialRateLimit: null })({
      official: {
        self: A,
        ledger: {
          get: ledger.get.bind(ledger),
          entries: () => [...ledger.records] as [string, StateRecord][],
          hasher: h,
        },
        chain: store.ledger,
        federation: makeClient(A, ledger, clock, store, fetch),
        clock: clock.now,
      },
      peerEndpoint: side.endpoint,
    });
    url = await server.listen();
    // The endpoint loads its replay nonces from the store once; from here on, a read is a request's.
    assert.equal(codeOf((await post(signed(RECEIPT, { id: ID }))).body), undefined);
    armed = true;
  });
  after(async () => {
    await server.close();
    await store.close();
  });
  beforeEach(() => {
    reads.length = 0;
  });

  it("reads the store for an admitted receipt query (the counter sees reads)", async () => {
    const ok = await post(signed(`{ a: receipt(id: "${ID}") { id } b: receipt(id: "${ID}") { id } }`));
    assert.deepEqual((ok.body as Result).data, { a: null, b: null });
    assert.deepEqual(
      reads.filter((r) => r === "issuedReceipt"),
      ["issuedReceipt", "issuedReceipt"],
    );
  });

  it("refuses an alias bomb of thousands of receipt fields before any store read", async () => {
    const bomb = await post(signed(aliased(9000)));
    assert.equal(bomb.status, 200);
    // Tokens are counted while parsing, before aliases are: a bomb this size never gets to validation.
    assert.equal(codeOf(bomb.body), "TOKEN_LIMIT");
    assert.equal((bomb.body as Result).data, undefined);
    const fewer = await post(signed(aliased(DEFAULT_PEER_QUERY_LIMITS.maxAliases + 1)));
    assert.equal(codeOf(fewer.body), "ALIAS_LIMIT");
    assert.deepEqual(reads, []);
  });

  it("refuses a deep, costly, over-nested or directive-laden document before any store read", async () => {
    const within = (n: number, inner: string): string =>
      n === 0 ? inner : `... on ReceiptState { ${within(n - 1, inner)} }`;
    const deep = await post(signed(`{ receipt(id: "${ID}") { ${within(3, "id")} } }`));
    assert.equal(codeOf(deep.body), "DEPTH_LIMIT");
    const costly = await post(signed(`{ receipt(id: "${ID}") { ${"id status height ".repeat(14)}} }`));
    assert.equal(codeOf(costly.body), "COST_LIMIT");
    const overNested = await post(
      signed(`{ answer(dataset: "d", grant: "g", query: ${"[".repeat(40)}${"]".repeat(40)}) { receiptId } }`),
    );
    assert.equal(codeOf(overNested.body), "NESTING_LIMIT");
    const directives = await post(
      signed(`{ receipt(id: "${ID}") ${"@include(if: true) ".repeat(5)}{ id } }`),
    );
    assert.equal(codeOf(directives.body), "DIRECTIVE_LIMIT");
    for (const r of [deep, costly, overNested, directives]) assert.equal((r.body as Result).data, undefined);
    assert.deepEqual(reads, []);
    // Just inside the limits, the same shapes run (and read).
    const fine = await post(signed(`{ receipt(id: "${ID}") { ${within(2, "id")} } }`));
    assert.deepEqual((fine.body as Result).data, { receipt: null });
    assert.deepEqual(
      reads.filter((r) => r === "issuedReceipt"),
      ["issuedReceipt"],
    );
  });

  it("refuses a batch over the operation limit with 413 BATCH_LIMIT, before authenticating any operation", async () => {
    const batch = await post(signedBatch(RECEIPT.replace("$id", '"x"'), 17));
    assert.equal(batch.status, 413);
    assert.equal(codeOf(batch.body), "BATCH_LIMIT");
    assert.doesNotMatch(JSON.stringify(batch.body), /16|17/, "the limit is not echoed");
    assert.deepEqual(reads, []);
  });

  it("tells an unsigned caller only UNAUTHENTICATED, whatever limit its document breaks", async () => {
    for (const query of [aliased(9000), aliased(5), `{ a ${"{".repeat(40)} }`]) {
      const res = await post({ query });
      assert.equal(codeOf(res.body), "UNAUTHENTICATED", JSON.stringify(res.body).slice(0, 200));
    }
    assert.deepEqual(reads, []);
  });

  it("admits every document the gateway's own clients send", async () => {
    const answer = await post(
      signed(ANSWER_DOCUMENT, {
        dataset: DATASET,
        grant: GRANT,
        query: { kind: "lookup", key: "p-1", fields: ["area"] },
      }),
    );
    assert.equal((answer.body as Result).errors, undefined, JSON.stringify(answer.body));
    const cosign = await post(signed(COSIGN_DOCUMENT, { receipts: "gA==" }));
    assert.notEqual(codeOf(cosign.body)?.endsWith("_LIMIT"), true, JSON.stringify(cosign.body));
    const inline = await post(
      signed(
        `{ answer(dataset: "${DATASET}", grant: "${GRANT}", query: {kind: "filter", where: [${Array.from(
          { length: 16 },
          (_, i) => `{field: "f${i}", op: "eq", value: "v${i}"}`,
        ).join(", ")}], sumField: "area"}) { result proof receiptId providerTime } }`,
      ),
    );
    assert.ok(!String(codeOf(inline.body)).endsWith("_LIMIT"), JSON.stringify(inline.body));
    const batch = await post(signedBatch(`{ receipt(id: "${ID}") { id status height } }`, 16));
    assert.ok(Array.isArray(batch.body) && batch.body.length === 16);
    for (const r of batch.body as Result[]) assert.equal(r.errors, undefined);
  });
});
