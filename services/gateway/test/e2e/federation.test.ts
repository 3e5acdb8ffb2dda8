import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  type AttestedReceipt,
  createHasher,
  createVerifier,
  decodeRecord,
  derivedId,
  ed25519Signer,
  encodeTx,
  requestEnvelopeHash,
  signReceiptBatch,
  signTx,
  type TxBody,
  toHex,
} from "@coken/ledger";
import { openStore } from "@coken/store";
import { GatewayError } from "../../src/errors.js";
import { ANSWER_DOCUMENT } from "../../src/federation/client.js";
import { executorFor } from "../../src/federation/executor.js";
import { SignedTransport } from "../../src/federation/transport.js";
import type { LookupQuery } from "../../src/federation/types.js";
import type { LedgerReader } from "../../src/provider/ledger-reader.js";
import { DISPUTE_REASON } from "../../src/receipts/disputer.js";
import {
  api,
  type NetworkNode,
  prepareNetwork,
  seedRows,
  startNodes,
  stopNodes,
  waitFor,
} from "./network.js";

const CHAIN = "coken-gateway-e2e";
const A = "sh.land-registry"; // provider, region SH
const B = "bj.housing"; // requester, region BJ
const R = "sh.regulator"; // regulator, region SH
const DATASET = "sh.land/parcels";
const ROWS = {
  "p-1": { owner: "Zhang San", area: 120, district: "Pudong" },
  "p-2": { owner: "Li Si", area: 80, district: "Xuhui" },
};
const h = createHasher("sha256");
const lookup: LookupQuery = { kind: "lookup", key: "p-1", fields: ["area", "district"] };

interface Status {
  height: number;
}

describe("federated calls between peers of two regions over a real ledger", () => {
  let dir = "";
  let nodes: NetworkNode[] = [];
  const node = (id: string) => nodes.find((n) => n.spec.id === id) as NetworkNode;
  const gateway = (id: string) => {
    const g = node(id).peer?.gateway;
    assert.ok(g, `${id} runs a gateway`);
    return g;
  };
  const height = async (id: string) => (await api<Status>(node(id), "/v1/status")).height;
  const submit = async (id: string, body: TxBody) => {
    const n = node(id);
    const res = await api<{ id?: string; error?: { code: string } }>(
      n,
      "/v1/txs",
      encodeTx(signTx(h, n.signer, body)),
    );
    assert.ok(res.id, JSON.stringify(res));
  };
  const tx = (sender: string, seq: number, kind: string, payload: unknown) =>
    ({ chain: CHAIN, kind, sender, seq, payload }) as TxBody;
  const code = (e: unknown) => (e instanceof GatewayError ? e.code : String(e));
  const failure = async (p: Promise<unknown>) => {
    try {
      await p;
      return "answered";
    } catch (e) {
      return code(e);
    }
  };
  const ask = (grant: string, query: LookupQuery = lookup) =>
    gateway(B).federation.call({ provider: A, dataset: DATASET, grant, query });
  /** Sends a signed dataset call straight to A's /peer/graphql through a transport of the given identity. */
  const sendAs = async (transport: SignedTransport, grant: string) => {
    const result = await transport.send(A, {
      document: ANSWER_DOCUMENT,
      variables: { dataset: DATASET, grant, query: lookup },
      grant,
      dataset: DATASET,
    });
    return result.result as {
      data?: { answer?: unknown } | null;
      errors?: { extensions?: { code?: string } }[];
    };
  };
  /** A ledger view holding only A's agency key: enough for a transport to check A's response signatures. */
  const providerKey = () =>
    ({
      get: (key: string) =>
        key === `agency/${A}` ? { keyScheme: "ed25519", publicKey: node(A).signer.publicKey } : undefined,
    }) as unknown as LedgerReader;
  const transportOf = (self: string, signerSeed?: string) =>
    new SignedTransport({
      self,
      signer: signerSeed ? ed25519Signer(new Uint8Array(32).fill(7)) : node(self).signer,
      hasher: h,
      verifier: createVerifier(),
      ledger: providerKey(),
      peerUrl: (agency) => node(agency).gatewayUrl,
      now: Date.now,
    });

  const grants = { main: "", quota: "", expiring: "", around: "" };
  let expiringAt = 0;
  const answered: string[] = [];
  /** Receipts A recorded without B's co-signature (B called around its own client). */
  const aroundIds: string[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "coken-gateway-e2e-"));
    nodes = await prepareNetwork(dir, CHAIN, [
      { id: A, region: "SH", roles: ["validator", "member"] },
      { id: B, region: "BJ", roles: ["validator", "member"] },
      { id: R, region: "SH", roles: ["validator", "regulator"] },
    ]);
    await seedRows(node(A), DATASET, ROWS);
    await startNodes(nodes);
    await waitFor(
      "the chain to start",
      () => Promise.all(nodes.map((n) => height(n.spec.id))),
      (hs) => hs.every((x) => x >= 1),
      60_000,
    );
  });

  after(async () => {
    await stopNodes(nodes);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("A publishes and commits a dataset and grants B; B's verified answer; the receipt reaches the ledger", async (t) => {
    const now = Date.now();
    expiringAt = now + 12_000;
    await submit(
      A,
      tx(A, 0, "dataset.publish", {
        id: DATASET,
        title: "Land parcels",
        description: "Parcels by owner",
        fields: [
          { name: "owner", type: "string", indexed: false, personal: true },
          { name: "area", type: "int", indexed: true, personal: false },
          { name: "district", type: "string", indexed: false, personal: false },
        ],
        region: "SH",
        tags: [],
        updateFrequency: "daily",
        licence: "government use",
        queryKinds: ["lookup", "threshold"],
        price: 1n,
        commitment: {
          scheme: "coken-e2e",
          root: new Uint8Array(randomBytes(32)),
          rowCount: 2,
          indexedFields: ["area"],
          verifyingKeys: [],
        },
      }),
    );
    const grant = (seq: number, quota: number, expiresAt: number) =>
      tx(A, seq, "grant.issue", {
        dataset: DATASET,
        grantee: B,
        queryKinds: ["lookup"],
        fields: ["area", "district"],
        purpose: "purchase restriction",
        quota,
        expiresAt,
      });
    await submit(A, grant(1, 100, now + 3_600_000));
    await submit(A, grant(2, 1, now + 3_600_000));
    await submit(A, grant(3, 100, expiringAt));
    await submit(A, grant(4, 3, now + 3_600_000));
    grants.main = derivedId(h, "grant", A, 1);
    grants.quota = derivedId(h, "grant", A, 2);
    grants.expiring = derivedId(h, "grant", A, 3);
    grants.around = derivedId(h, "grant", A, 4);

    // B sees the grant once its peer has committed it (until then its own check says GRANT_REQUIRED, locally).
    const answer = await waitFor(
      "B's grant to be committed",
      () => ask(grants.main).catch((e: unknown) => code(e)),
      (v) => typeof v !== "string",
      30_000,
    );
    assert.ok(typeof answer !== "string");
    assert.deepEqual(answer.result, {
      kind: "lookup",
      found: true,
      fields: { area: 120, district: "Pudong" },
    });
    assert.equal(answer.verification.proof, null);
    assert.match(answer.verification.providerSignature, /^[0-9a-f]{128}$/);
    answered.push(answer.verification.receipt.id);
    const atAnswer = await height(A);

    const quotaAnswer = await waitFor(
      "the quota grant to be committed",
      () => ask(grants.quota).catch((e: unknown) => code(e)),
      (v) => typeof v !== "string",
      30_000,
    );
    assert.ok(typeof quotaAnswer !== "string");
    answered.push(quotaAnswer.verification.receipt.id);

    // A's queue batches, B co-signs, A submits access.record; B asks A where its receipts stand.
    const status = executorFor(gateway(B).federation.transport, A, h);
    const { parse } = await import("graphql");
    const doc = parse("query R($id: String!) { receipt(id: $id) { status height } }");
    for (const id of answered) {
      const state = await waitFor(
        "the receipt to be committed",
        async () => {
          const r = (await status({ document: doc, variables: { id } })) as {
            data?: { receipt: { status: string; height: number | null } | null };
          };
          return r.data?.receipt ?? null;
        },
        (s) => s?.status === "committed",
        30_000,
      );
      assert.ok(state?.height !== null && state?.height !== undefined);
      if (id === answered[0]) {
        assert.ok(state.height >= atAnswer);
        t.diagnostic(
          `first receipt committed at height ${state.height}, ${state.height - atAnswer} blocks after the answer`,
        );
      }
    }
  });

  it("B's officials see A's receipt states through B's stitched /graphql (A's peer schema, namespaced)", async () => {
    assert.ok(answered[0], "runs after the first scenario");
    const res = await fetch(`${gateway(B).url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({
        query: "query R($id: String!) { sh_land_registry_receipt(id: $id) { id status height } }",
        variables: { id: answered[0] },
      }),
    });
    const body = (await res.json()) as {
      data?: { sh_land_registry_receipt: { id: string; status: string; height: number } | null };
      errors?: unknown;
    };
    assert.equal(
      body.errors,
      undefined,
      `${JSON.stringify(body.errors)}\n${node(B).log.slice(-8).join("\n")}`,
    );
    assert.equal(body.data?.sh_land_registry_receipt?.id, answered[0]);
    assert.equal(body.data?.sh_land_registry_receipt?.status, "committed");
  });

  it("B calls A around its own client and never co-signs: every answer is on the ledger, quota holds", async () => {
    assert.ok(grants.around, "runs after the first scenario");
    // Raw signed envelopes with B's key, straight to A's /peer/graphql: B's call log never sees these calls, so
    // B's co-signer refuses their receipts.
    const around = transportOf(B);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await waitFor(
        "the quota-3 grant to be committed",
        () => sendAs(around, grants.around),
        (r) => r.errors?.[0]?.extensions?.code !== "GRANT_REQUIRED",
        30_000,
      );
      const answer = res.data?.answer as { receiptId?: string } | undefined;
      assert.ok(answer?.receiptId, JSON.stringify(res.errors));
      ids.push(answer.receiptId);
    }
    const over = await sendAs(around, grants.around);
    assert.equal(over.errors?.[0]?.extensions?.code, "QUOTA_EXCEEDED");
    // A records them without B's co-signature (access.attest): B's grant shows all three used, on B's own peer.
    const used = async () => {
      const res = await fetch(`${gateway(B).url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({
          query: "{ grants(role: RECEIVED, first: 50) { edges { node { grantId used } } } }",
        }),
      });
      const body = (await res.json()) as {
        data?: { grants: { edges: { node: { grantId: string; used: number } }[] } };
      };
      return body.data?.grants.edges.find((e) => e.node.grantId === grants.around)?.node.used ?? -1;
    };
    assert.equal(await waitFor("the attested receipts to be committed", used, (n) => n === 3, 40_000), 3);
    assert.match(node(A).log.join("\n"), /recording them alone|recording receipts alone/);
    // B's peer disputes them (its call log holds none of these calls); its officials see each receipt's standing.
    const recordings = async () => {
      const res = await fetch(`${gateway(B).url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({
          query: "{ accessLog(first: 50) { edges { node { receiptId recording } } } }",
        }),
      });
      const body = (await res.json()) as {
        data?: { accessLog: { edges: { node: { receiptId: string; recording: string } }[] } };
      };
      return new Map((body.data?.accessLog.edges ?? []).map((e) => [e.node.receiptId, e.node.recording]));
    };
    const seen = await waitFor(
      "B's disputes to be committed",
      recordings,
      (m) => ids.every((id) => m.get(id) === "DISPUTED"),
      40_000,
    );
    assert.equal(seen.get(answered[0] ?? ""), "ACKNOWLEDGED", "a co-signed receipt");
    // However long B waits, no quota comes back.
    assert.equal((await sendAs(around, grants.around)).errors?.[0]?.extensions?.code, "QUOTA_EXCEEDED");
    answered.push(...ids);
    aroundIds.push(...ids);

    // A provider cannot record a call that was never made: a request "signed" with A's own key is refused.
    const fake = {
      requester: B,
      provider: A,
      grant: grants.main,
      dataset: DATASET,
      queryHash: new Uint8Array(32).fill(1),
      variablesHash: new Uint8Array(32).fill(2),
      nonce: new Uint8Array(16).fill(3),
      time: Date.now(),
      expiresAt: Date.now() + 60_000,
    };
    const requestHash = requestEnvelopeHash(h, fake);
    const receipt = {
      grant: grants.main,
      dataset: DATASET,
      provider: A,
      requester: B,
      queryKind: "lookup" as const,
      requestHash,
      resultHash: new Uint8Array(32).fill(4),
      proofHash: new Uint8Array(32).fill(5),
      nonce: fake.nonce,
      time: fake.time,
    };
    const account = await api<{ pendingSeq: number }>(node(A), `/v1/accounts/${A}`);
    const attest = tx(A, account.pendingSeq, "access.attest", {
      batches: [
        {
          requester: B,
          receipts: [receipt],
          requests: [
            {
              queryHash: fake.queryHash,
              variablesHash: fake.variablesHash,
              expiresAt: fake.expiresAt,
              signature: 0,
            },
          ],
          signatures: [{ batch: null, signature: node(A).signer.sign(requestHash) }],
          providerSig: signReceiptBatch(h, node(A).signer, A, B, [receipt]),
        },
      ],
    });
    const refused = await api<{ id?: string; error?: { code: string } }>(
      node(A),
      "/v1/txs",
      encodeTx(signTx(h, node(A).signer, attest)),
    );
    assert.equal(refused.error?.code, "BAD_REQUEST_PROOF", JSON.stringify(refused));
  });

  it("refusals: no grant, forged signature, replayed nonce, beyond quota, expired grant, frozen agency", async () => {
    assert.ok(grants.main, "runs after the first scenario");
    // No grant: R signs a call under B's grant.
    const noGrant = await sendAs(transportOf(R), grants.main);
    assert.equal(noGrant.errors?.[0]?.extensions?.code, "GRANT_REQUIRED");
    assert.equal(noGrant.data?.answer ?? null, null);

    // Forged signature: a request in B's name signed with another key.
    const forged = await sendAs(transportOf(B, "forger"), grants.main);
    assert.equal(forged.errors?.[0]?.extensions?.code, "UNAUTHENTICATED");
    assert.equal(forged.data?.answer ?? null, null);

    // Replayed nonce: the exact bytes of a request B sent, sent again.
    const bodies: string[] = [];
    const recording = new SignedTransport({
      self: B,
      signer: node(B).signer,
      hasher: h,
      verifier: createVerifier(),
      ledger: providerKey(),
      peerUrl: (agency) => node(agency).gatewayUrl,
      now: Date.now,
      fetch: (async (input: string | URL | Request, init?: RequestInit) => {
        bodies.push(String(init?.body));
        return fetch(input, init);
      }) as typeof fetch,
    });
    await recording.send(A, { document: "{ __typename }", variables: {}, grant: null, dataset: null });
    const replay = await fetch(`${node(A).gatewayUrl}/peer/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: bodies[0] ?? "",
    });
    const replayed = (await replay.json()) as {
      errors?: { extensions?: { code?: string } }[];
      data?: unknown;
    };
    assert.equal(replayed.errors?.[0]?.extensions?.code, "REPLAYED");
    assert.equal(replayed.data ?? null, null);

    // Beyond quota: the quota-1 grant was used once above.
    assert.equal(await failure(ask(grants.quota)), "QUOTA_EXCEEDED");

    // Expired grant.
    await waitFor(
      "the short grant to expire",
      async () => Date.now(),
      (t) => t > expiringAt + 50,
      30_000,
    );
    assert.equal(await failure(ask(grants.expiring)), "GRANT_EXPIRED");

    // Frozen agency: the regulator freezes B on the ledger; A refuses B from the block that carries it.
    await submit(
      R,
      tx(R, 0, "regulator.freeze", { target: { kind: "agency", id: B }, reason: "investigation" }),
    );
    // Probed through the expired grant, which is refused either way, so no call is answered while waiting.
    await waitFor(
      "the freeze to be committed",
      () => failure(ask(grants.expiring)),
      (c) => c !== "GRANT_EXPIRED",
      30_000,
    );
    assert.equal(await failure(ask(grants.expiring)), "FROZEN");
    assert.equal(await failure(ask(grants.main)), "FROZEN");
  });

  it("the ledger's access log holds exactly the answered calls, on every peer", async () => {
    assert.equal(answered.length, 5, "runs after the first scenarios");
    await stopNodes(nodes);
    for (const id of [A, B, R]) {
      const store = await openStore({ kind: "pglite", dataDir: node(id).dataDir });
      try {
        const page = await store.ledger.queryReceipts({ provider: A, limit: 100 });
        assert.deepEqual(
          page.receipts.map((r) => toHex(r.id)).sort(),
          [...answered].sort(),
          `access log of ${id}`,
        );
        assert.ok(page.receipts.every((r) => r.requester === B && r.dataset === DATASET));
        if (id === A) {
          const pending = await store.gateway?.outstandingByGrant();
          assert.deepEqual(pending, [], "no receipt issued for a refused call");
        }
        // B's peer disputed the receipts of calls its call log never held; the quota they took stays used.
        const state = await store.ledger.loadState();
        for (const rid of aroundIds) {
          const entry = state.entries.find((e) => e.key === `attested/${rid}`);
          assert.ok(entry, `attested/${rid} on ${id}`);
          const record = decodeRecord(entry.key, entry.value) as AttestedReceipt;
          assert.equal(record.dispute?.reason, DISPUTE_REASON, `dispute of ${rid} on ${id}`);
        }
      } finally {
        await store.close();
      }
    }
  });
});
