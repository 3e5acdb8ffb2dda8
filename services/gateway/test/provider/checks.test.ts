import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, beforeEach, describe, it } from "node:test";
import { keys, type Signer, toHex } from "@coken/ledger";
import { ANSWER_DOCUMENT } from "../../src/federation/client.js";
import type { RequestEnvelope } from "../../src/signing/envelope.js";
import { documentHash, variablesHash } from "../../src/signing/hashes.js";
import {
  CheckedBatches,
  readSignedRequest,
  readSignedResponse,
  responseSignatureValid,
  signRequest,
  signRequests,
} from "../../src/signing/wire.js";
import {
  A,
  B,
  baseLedger,
  C,
  Clock,
  DATASET,
  GRANT,
  h,
  type MapLedger,
  makeSide,
  type Side,
  signerOf,
  T0,
  testProver,
  verifier,
} from "./world.js";

interface Sent {
  status: number;
  body: {
    data?: { answer?: { result: unknown; receiptId: string } | null } | null;
    errors?: { message: string; extensions?: { code?: string } }[];
    extensions?: unknown;
  };
  text: string;
}

const lookup = { kind: "lookup", key: "p-1", fields: ["area", "district"] };

function envelopeOf(
  over: Partial<RequestEnvelope>,
  variables: Record<string, unknown>,
  document: string,
  now: number,
): RequestEnvelope {
  return {
    requester: B,
    provider: A,
    grant: GRANT,
    dataset: DATASET,
    queryHash: documentHash(h, document),
    variablesHash: variablesHash(h, variables),
    nonce: new Uint8Array(randomBytes(16)),
    time: now,
    expiresAt: now + 60_000,
    ...over,
  };
}

function body(
  signer: Signer,
  over: Partial<RequestEnvelope> = {},
  variables: Record<string, unknown> = { dataset: DATASET, grant: GRANT, query: lookup },
  document = ANSWER_DOCUMENT,
  now = T0,
) {
  const envelope = envelopeOf(over, variables, document, now);
  return { query: document, variables, extensions: { coken: signRequest(h, signer, envelope) } };
}

/** A batched HTTP body whose operations (lookups of `keys`) are signed together with one signature. */
function signedBatch(signer: Signer, keys: string[]) {
  const variables = keys.map((key) => ({ dataset: DATASET, grant: GRANT, query: { ...lookup, key } }));
  const wire = signRequests(
    h,
    signer,
    variables.map((v) => envelopeOf({}, v, ANSWER_DOCUMENT, T0)),
  );
  return variables.map((v, i) => ({ query: ANSWER_DOCUMENT, variables: v, extensions: { coken: wire[i] } }));
}

describe("provider checks at /peer/graphql", () => {
  let ledger: MapLedger;
  let side: Side;
  const clock = new Clock();

  const send = async (payload: unknown): Promise<Sent> => {
    const res = await side.endpoint.fetch("http://a/peer/graphql", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(payload),
    });
    const text = await res.text();
    return { status: res.status, body: JSON.parse(text), text };
  };
  const code = (s: Sent) => s.body.errors?.[0]?.extensions?.code;
  const refused = (s: Sent, expected: string) => {
    assert.equal(code(s), expected, s.text);
    assert.ok(s.body.data?.answer == null, "no data with a refusal");
    // Refusals never echo row values.
    for (const v of ["Pudong", "Zhang", "120"]) assert.ok(!s.text.includes(v), s.text);
  };
  const waitUntilStored = async (payload: ReturnType<typeof body>) => {
    const nonce = readSignedRequest(h, payload.extensions.coken).request.nonce;
    for (let i = 0; i < 200; i++) {
      const live = (await side.store.gateway?.liveNonces(T0)) ?? [];
      if (live.some((n) => toHex(n.nonce) === toHex(nonce))) return;
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.fail("nonce never stored");
  };
  const issued = async () =>
    (await side.store.gateway?.outstandingByGrant())?.reduce((n, g) => n + g.count, 0) ?? 0;

  before(async () => {
    ledger = baseLedger();
    side = await makeSide(A, ledger, clock, { options: { rateLimit: { perSecond: 1, burst: 1000 } } });
  });
  after(() => side.store.close());
  beforeEach(() => {
    clock.t = T0;
    ledger.records.clear();
    for (const [k, v] of baseLedger().records) ledger.records.set(k, v);
  });

  it("answers a granted lookup with only the asked, granted fields and issues a receipt", async () => {
    const before = await issued();
    const s = await send(body(signerOf(B)));
    assert.equal(s.body.errors, undefined, s.text);
    assert.deepEqual(s.body.data?.answer?.result, {
      kind: "lookup",
      found: true,
      fields: { area: 120, district: "Pudong" },
    });
    assert.match(s.body.data?.answer?.receiptId ?? "", /^[0-9a-f]{64}$/);
    assert.ok((s.body.extensions as { coken?: unknown }).coken, "signed response");
    assert.equal(await issued(), before + 1);
    const state = await side.store.gateway?.issuedReceipt(
      Buffer.from(s.body.data?.answer?.receiptId ?? "", "hex"),
    );
    assert.equal(state?.status, "pending");
  });

  it("UNAUTHENTICATED: unsigned, forged, re-targeted, altered after signing, or outside the window", async () => {
    const before = await issued();
    refused(
      await send({ query: ANSWER_DOCUMENT, variables: { dataset: DATASET, grant: GRANT, query: lookup } }),
      "UNAUTHENTICATED",
    );
    refused(await send(body(signerOf("mallory"))), "UNAUTHENTICATED");
    refused(await send(body(signerOf(C), { requester: B })), "UNAUTHENTICATED");
    refused(await send(body(signerOf(B), { provider: C })), "UNAUTHENTICATED");
    refused(await send(body(signerOf(B), { requester: "nobody" })), "UNAUTHENTICATED");
    const altered = body(signerOf(B));
    altered.variables = { ...altered.variables, query: { ...lookup, fields: ["area", "district", "price"] } };
    refused(await send(altered), "UNAUTHENTICATED");
    const otherDoc = body(signerOf(B));
    otherDoc.query = `${ANSWER_DOCUMENT} `;
    refused(await send(otherDoc), "UNAUTHENTICATED");
    refused(
      await send(body(signerOf(B), { time: T0 + 120_000, expiresAt: T0 + 130_000 })),
      "UNAUTHENTICATED",
    );
    refused(
      await send(body(signerOf(B), { time: T0 - 200_000, expiresAt: T0 - 100_000 })),
      "UNAUTHENTICATED",
    );
    refused(await send(body(signerOf(B), { expiresAt: T0 + 3_600_000 })), "UNAUTHENTICATED");
    refused(await send(body(signerOf(B), { grant: null })), "UNAUTHENTICATED");
    assert.equal(await issued(), before);
  });

  it("a batch signed once: every operation answered, the answers signed together; outsiders refused", async () => {
    const before = await issued();
    const ops = signedBatch(signerOf(B), ["p-1", "p-2"]);
    // A third operation presenting the batch's signature without being in it.
    const [outsider] = signedBatch(signerOf(B), ["p-1", "p-3"]);
    const stray = {
      ...outsider,
      extensions: {
        coken: {
          ...outsider?.extensions.coken,
          ...ops[0]?.extensions.coken,
          envelope: outsider?.extensions.coken?.envelope,
        },
      },
    };
    const res = await side.endpoint.fetch("http://a/peer/graphql", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([...ops, stray]),
    });
    const results = (await res.json()) as Sent["body"][];
    assert.equal(results.length, 3);
    const [r1, r2, r3] = results;
    assert.equal(r1?.errors, undefined);
    assert.equal(r2?.errors, undefined);
    assert.equal(r3?.errors?.[0]?.extensions?.code, "UNAUTHENTICATED");
    assert.equal(
      (r3?.extensions as { coken?: unknown } | undefined)?.coken,
      undefined,
      "refusals are unsigned",
    );
    assert.equal(await issued(), before + 2);
    const signed = [r1, r2].map((r) =>
      readSignedResponse(h, (r?.extensions as { coken?: unknown } | undefined)?.coken),
    );
    assert.ok(signed[0]?.batch && signed[0].batch.length === 64, "two answers signed together");
    assert.deepEqual(signed[0]?.signature, signed[1]?.signature);
    const key = { keyScheme: "ed25519" as const, publicKey: signerOf(A).publicKey };
    const checked = new CheckedBatches();
    for (const s of signed) assert.ok(s && responseSignatureValid(h, verifier, key, s.response, s, checked));
  });

  it("REPLAYED: the same signed request twice is answered once", async () => {
    const payload = body(signerOf(B));
    const first = await send(payload);
    assert.equal(first.body.errors, undefined, first.text);
    refused(await send(payload), "REPLAYED");
  });

  it("the replay check survives a restart: the nonce is in the store", async () => {
    const payload = body(signerOf(B));
    assert.equal((await send(payload)).body.errors, undefined);
    const restarted = await makeSide(A, ledger, clock, { store: side.store });
    const res = await restarted.endpoint.fetch("http://a/peer/graphql", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(payload),
    });
    const json = (await res.json()) as { errors?: { extensions?: { code?: string } }[] };
    assert.equal(json.errors?.[0]?.extensions?.code, "REPLAYED");
  });

  it("a replay of an operation other than a dataset call is refused after a restart too", async () => {
    const doc = "{ __typename }";
    const payload = body(signerOf(B), { grant: null, dataset: null }, {}, doc);
    assert.equal((await send(payload)).body.errors, undefined);
    // Such nonces are persisted after the response; give the write its moment.
    await waitUntilStored(payload);
    const restarted = await makeSide(A, ledger, clock, { store: side.store });
    const res = await restarted.endpoint.fetch("http://a/peer/graphql", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(payload),
    });
    const json = (await res.json()) as { errors?: { extensions?: { code?: string } }[] };
    assert.equal(json.errors?.[0]?.extensions?.code, "REPLAYED");
  });

  it("FROZEN: a frozen requester, provider, dataset or grant", async () => {
    for (const [kind, id] of [
      ["agency", B],
      ["agency", A],
      ["dataset", DATASET],
      ["grant", GRANT],
    ] as const) {
      ledger.freeze(kind, id);
      refused(await send(body(signerOf(B))), "FROZEN");
      ledger.delete(keys.freeze(kind, id));
    }
  });

  it("GRANT_REQUIRED: no grant, another agency's grant, a revoked grant, a grant on another dataset", async () => {
    refused(
      await send(
        body(
          signerOf(B),
          { grant: "b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2" },
          { dataset: DATASET, grant: "b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2", query: lookup },
        ),
      ),
      "GRANT_REQUIRED",
    );
    refused(await send(body(signerOf(C), { requester: C })), "GRANT_REQUIRED");
    ledger.set(keys.grant(GRANT), { ...ledger.grant(), revoked: { height: 2, time: T0 - 1, reason: "x" } });
    refused(await send(body(signerOf(B))), "GRANT_REQUIRED");
    ledger.set(keys.grant(GRANT), { ...ledger.grant(), revoked: null, dataset: "other" });
    refused(await send(body(signerOf(B))), "GRANT_REQUIRED");
  });

  it("FORBIDDEN: a kind or field outside the grant, and personal fields read raw", async () => {
    const ask = (query: unknown) => send(body(signerOf(B), {}, { dataset: DATASET, grant: GRANT, query }));
    refused(await ask({ kind: "lookup", key: "p-1", fields: ["price"] }), "FORBIDDEN");
    refused(await ask({ kind: "lookup", key: "p-1", fields: ["owner"] }), "FORBIDDEN");
    refused(await ask({ kind: "sum", field: "area", from: 0, to: 100, sumField: "price" }), "FORBIDDEN");
  });

  it("GRANT_EXPIRED: a request at or after the grant's expiry", async () => {
    ledger.set(keys.grant(GRANT), { ...ledger.grant(), expiresAt: T0 });
    refused(await send(body(signerOf(B))), "GRANT_EXPIRED");
  });

  it("INSUFFICIENT_BALANCE: a requester whose committed balance cannot pay the dataset's price", async () => {
    const account = ledger.get(keys.account(B));
    assert.ok(account);
    const before = side.issuer.pending(GRANT);
    ledger.set(keys.account(B), { ...account, balance: 0n });
    try {
      refused(await send(body(signerOf(B))), "INSUFFICIENT_BALANCE");
      assert.equal(side.issuer.pending(GRANT), before, "no quota slot taken, no receipt issued");
    } finally {
      ledger.set(keys.account(B), account);
    }
  });

  it("QUOTA_EXCEEDED: ledger `used` plus receipts issued and not yet committed", async () => {
    const outstanding = side.issuer.pending(GRANT);
    ledger.set(keys.grant(GRANT), { ...ledger.grant(), used: 5, quota: 5 + outstanding + 1 });
    assert.equal((await send(body(signerOf(B)))).body.errors, undefined);
    refused(await send(body(signerOf(B))), "QUOTA_EXCEEDED");
  });

  it("RATE_LIMITED: beyond the requester's bucket", async () => {
    const before = side.issuer.pending(GRANT);
    const tight = await makeSide(A, ledger, clock, {
      store: side.store,
      options: { rateLimit: { perSecond: 0.001, burst: 2 } },
    });
    const post = async () => {
      const res = await tight.endpoint.fetch("http://a/peer/graphql", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body(signerOf(B))),
      });
      return ((await res.json()) as { errors?: { extensions?: { code?: string } }[] }).errors?.[0]?.extensions
        ?.code;
    };
    assert.equal(await post(), undefined);
    assert.equal(await post(), undefined);
    assert.equal(await post(), "RATE_LIMITED");
    assert.equal(tight.issuer.pending(GRANT), before + 2, "a refused call gives its quota slot back");
  });

  it("BAD_USER_INPUT: malformed queries; UNSUPPORTED_QUERY: proved kinds without a prover", async () => {
    const ask = (query: unknown) => send(body(signerOf(B), {}, { dataset: DATASET, grant: GRANT, query }));
    refused(await ask({ kind: "lookup", key: "p-1", fields: [] }), "BAD_USER_INPUT");
    refused(await ask({ kind: "drop", key: "p-1" }), "BAD_USER_INPUT");
    refused(
      await ask({ kind: "threshold", key: "p-1", field: "area", op: "gte", value: 1.5 }),
      "BAD_USER_INPUT",
    );
    refused(
      await ask({ kind: "threshold", key: "p-1", field: "area", op: "gte", value: 100 }),
      "UNSUPPORTED_QUERY",
    );
  });

  it("proved kinds go to the prover, bound to the request", async () => {
    const prover = testProver();
    const proving = await makeSide(A, ledger, clock, { store: side.store, prover });
    const payload = body(
      signerOf(B),
      {},
      {
        dataset: DATASET,
        grant: GRANT,
        query: { kind: "threshold", key: "p-1", field: "area", op: "gte", value: 100 },
      },
    );
    const res = await proving.endpoint.fetch("http://a/peer/graphql", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(payload),
    });
    const json = (await res.json()) as {
      data?: { answer?: { result: unknown; proof: { circuit: string } } };
    };
    assert.deepEqual(json.data?.answer?.result, { kind: "threshold", holds: true });
    assert.equal(json.data?.answer?.proof.circuit, "threshold-test");
    assert.equal(prover.proved, 1);
  });

  it("malformed and oversized requests are refused without a crash", async () => {
    const raw = async (text: string, headers: Record<string, string> = {}) => {
      const res = await side.endpoint.fetch("http://a/peer/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: text,
      });
      return res.status;
    };
    const notJson = await side.endpoint.fetch("http://a/peer/graphql", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{not json",
    });
    const parsed = (await notJson.json()) as { errors?: { extensions?: { code?: string } }[] };
    assert.equal(parsed.errors?.[0]?.extensions?.code, "BAD_REQUEST");
    assert.equal(await raw("x".repeat(10), { "content-length": String(2 << 20) }), 413);
    const deep = `query { ${'answer(dataset: "a", grant: "b", query: {}) { '.repeat(3)} } }`;
    assert.ok([200, 400].includes(await raw(JSON.stringify({ query: deep }))));
    const s = await send({
      query: "{ answer }",
      extensions: { coken: { envelope: "AAAA", signature: "AAAA" } },
    });
    assert.equal(code(s), "BAD_USER_INPUT", s.text);
    refused(await send({ query: "{ nonsense }" }), "UNAUTHENTICATED");
  });

  it("one dataset call per signed request", async () => {
    const doc = `query Two($dataset: String!, $grant: String!, $query: JSON!) { a: answer(dataset: $dataset, grant: $grant, query: $query) { receiptId } b: answer(dataset: $dataset, grant: $grant, query: $query) { receiptId } }`;
    const s = await send(body(signerOf(B), {}, { dataset: DATASET, grant: GRANT, query: lookup }, doc));
    assert.equal(code(s), "BAD_USER_INPUT", s.text);
  });

  it("receipt states are shown to their requester only", async () => {
    const s = await send(body(signerOf(B)));
    const id = s.body.data?.answer?.receiptId ?? "";
    const doc = "query R($id: String!) { receipt(id: $id) { id status height } }";
    const ask = async (who: string) => {
      const res = await side.endpoint.fetch("http://a/peer/graphql", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(
          body(signerOf(who), { requester: who, grant: null, dataset: null }, { id }, doc),
        ),
      });
      return ((await res.json()) as { data?: { receipt: unknown } }).data?.receipt;
    };
    assert.deepEqual(await ask(B), { id, status: "pending", height: null });
    assert.equal(await ask(C), null);
    assert.equal(toHex(Buffer.from(id, "hex")), id);
  });
});
