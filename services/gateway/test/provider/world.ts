import { createHash } from "node:crypto";
import {
  type AgencyId,
  createHasher,
  createVerifier,
  type Dataset,
  ed25519Signer,
  encodeCbor,
  type Grant,
  keys,
  type RecordKind,
  type Signer,
  type StateKey,
  type StateRecords,
  toHex,
  utf8,
} from "@coken/ledger";
import { openStore, type Store } from "@coken/store";
import type { AnswerVerifier, QueryProver, ZkQuery, ZkResult } from "@coken/zk";
import { GatewayError } from "../../src/errors.js";
import type { CallLogRepository } from "../../src/federation/call-log.js";
import {
  createFederationClient,
  type FederationClientComponents,
  type SignedFederationClient,
} from "../../src/federation/client.js";
import { DEFAULT_TRANSPORT_OPTIONS, type TransportOptions } from "../../src/federation/transport.js";
import {
  createPeerEndpoint,
  DEFAULT_PEER_ENDPOINT_OPTIONS,
  type PeerEndpointComponents,
  type PeerEndpointOptions,
} from "../../src/provider/endpoint.js";
import type { LedgerReader } from "../../src/provider/ledger-reader.js";
import { ReceiptIssuer } from "../../src/receipts/issuer.js";
import { canonicalJson } from "../../src/signing/canonical-json.js";

export const h = createHasher("sha256");
export const verifier = createVerifier();
export const T0 = Date.UTC(2026, 5, 1);

export const A = "sh.land"; // provider, region 1
export const B = "bj.housing"; // requester, region 2
export const C = "gz.tax"; // another agency, no grant
export const REG = "regulator";
export const DATASET = "sh.land/parcels";
export const GRANT = "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1";

export const signerOf = (id: string): Signer =>
  ed25519Signer(new Uint8Array(createHash("sha256").update(`gateway-test:${id}`).digest()));

/** Committed ledger records in a map: what a peer's `chain.ledger.state` gives the gateway. */
export class MapLedger implements LedgerReader {
  readonly records = new Map<string, unknown>();
  get<K extends RecordKind>(key: StateKey<K>): StateRecords[K] | undefined {
    return this.records.get(key) as StateRecords[K] | undefined;
  }
  set<K extends RecordKind>(key: StateKey<K>, value: StateRecords[K]): void {
    this.records.set(key, value);
  }
  delete(key: string): void {
    this.records.delete(key);
  }
  grant(id = GRANT): Grant {
    return this.get(keys.grant(id)) as Grant;
  }
  freeze(kind: "agency" | "dataset" | "grant", id: string): void {
    const facts = { reason: "test", by: REG, height: 1, time: T0, rule: null, evidence: null };
    this.set(keys.freeze(kind, id), { kind, id, ...facts, approvals: [] });
  }
}

export const verifyingKeyHash = (kind: string) => h.hash("merkle.leaf", utf8.encode(`vk:${kind}`));
export const COMMITMENT_ROOT = new Uint8Array(32).fill(9);

export const ROWS: Record<string, Record<string, unknown>> = {
  "p-1": { owner: "Zhang San", area: 120, district: "Pudong", price: 5_000_000 },
  "p-2": { owner: "Li Si", area: 80, district: "Xuhui", price: 3_000_000 },
  "p-3": { owner: "Zhang San", area: 45, district: "Pudong", price: 1_000_000 },
};

/** A ledger where A owns a committed dataset and B holds a grant on it. */
export function baseLedger(): MapLedger {
  const ledger = new MapLedger();
  for (const id of [A, B, C, REG]) {
    ledger.set(keys.agency(id), {
      id,
      name: id,
      region: id === B ? "BJ" : "SH",
      publicKey: signerOf(id).publicKey,
      keyScheme: "ed25519",
      roles: id === REG ? ["validator", "regulator"] : ["validator", "member"],
      registeredAt: 0,
    });
    ledger.set(keys.account(id), { seq: 3, balance: 1000n });
  }
  const dataset: Dataset = {
    id: DATASET,
    title: "Parcels",
    description: "",
    fields: [
      { name: "owner", type: "string", indexed: false, personal: true },
      { name: "area", type: "int", indexed: true, personal: false },
      { name: "district", type: "string", indexed: false, personal: false },
      { name: "price", type: "int", indexed: false, personal: false },
    ],
    region: "SH",
    tags: [],
    updateFrequency: "daily",
    licence: "gov",
    queryKinds: ["lookup", "threshold", "membership", "count", "sum"],
    price: 1n,
    owner: A,
    commitment: {
      scheme: "test",
      root: COMMITMENT_ROOT,
      rowCount: 3,
      indexedFields: ["area"],
      verifyingKeys: ["threshold", "membership", "count"].map((k) => ({
        queryKind: k as "threshold",
        hash: verifyingKeyHash(k),
      })),
    },
    commitmentVersion: 1,
    committedAt: 1,
    publishedAt: 1,
    accessCount: 0,
  };
  ledger.set(keys.dataset(DATASET), dataset);
  ledger.set(keys.grant(GRANT), {
    id: GRANT,
    dataset: DATASET,
    grantor: A,
    grantee: B,
    queryKinds: ["lookup", "threshold", "membership", "count"],
    fields: ["area", "district", "owner"],
    purpose: "purchase restriction check",
    quota: 100,
    used: 0,
    expiresAt: T0 + 3_600_000,
    issuedAt: 1,
    revoked: null,
  });
  return ledger;
}

function digest(
  root: Uint8Array,
  query: ZkQuery,
  result: ZkResult,
  requester: string,
  nonce: Uint8Array,
  expiresAt: number,
) {
  return toHex(
    h.hash(
      "merkle.leaf",
      encodeCbor({
        root,
        query: canonicalJson(query),
        result: canonicalJson(result),
        requester,
        nonce,
        expiresAt,
      }),
    ),
  );
}

function compare(v: unknown, op: string, value: unknown, upper: unknown): boolean {
  const n = Number(v);
  if (op === "gte") return n >= Number(value);
  if (op === "lte") return n <= Number(value);
  if (op === "eq") return v === value;
  return n >= Number(value) && n <= Number(upper);
}

/**
 * A deterministic stand-in for the zk prover: it computes the true answer from the rows and "proves" it with a
 * digest binding the commitment root, the query, the result and the request binding. The matching verifier
 * recomputes that digest, so a changed result, requester, nonce, expiry, query or commitment fails it. It is not
 * zero-knowledge; it checks the gateway's use of the seam.
 */
export function testProver(rows = ROWS, root = COMMITMENT_ROOT): QueryProver & { proved: number } {
  const prover = {
    proved: 0,
    async prove(
      _dataset: string,
      query: ZkQuery,
      binding: { requester: string; nonce: Uint8Array; expiresAt: number },
    ) {
      prover.proved++;
      let result: ZkResult;
      if (query.kind === "threshold") {
        const row = rows[query.key];
        result = {
          kind: "threshold",
          holds: row !== undefined && compare(row[query.field], query.op, query.value, query.upper),
        };
      } else if (query.kind === "membership")
        result = { kind: "membership", member: rows[query.key] !== undefined };
      else if (query.kind === "count")
        result = {
          kind: "count",
          count: Object.values(rows).filter((r) => compare(r[query.field], "range", query.from, query.to))
            .length,
        };
      else throw new Error("kind not supported by the test prover");
      return {
        result,
        proof: {
          system: "groth16" as const,
          circuit: `${query.kind}-test`,
          verifyingKeyHash: verifyingKeyHash(query.kind),
          publicSignals: [digest(root, query, result, binding.requester, binding.nonce, binding.expiresAt)],
          proof: { pi_a: ["1"], pi_b: [["2"]], pi_c: ["3"] },
        },
      };
    },
    async close() {},
  };
  return prover;
}

/** The verifier matching `testProver`. */
export function testVerifier(): AnswerVerifier & { verified: number } {
  const v = {
    verified: 0,
    async verify(
      answer: { result: ZkResult; proof: { verifyingKeyHash: Uint8Array; publicSignals: string[] } },
      expected: Parameters<AnswerVerifier["verify"]>[1],
    ) {
      const vk = expected.commitment.verifyingKeys.find((k) => k.queryKind === expected.query.kind);
      const { requester, nonce, expiresAt } = expected.binding;
      if (
        vk === undefined ||
        toHex(vk.hash) !== toHex(answer.proof.verifyingKeyHash) ||
        answer.proof.publicSignals[0] !==
          digest(expected.commitment.root, expected.query, answer.result, requester, nonce, expiresAt)
      )
        throw new GatewayError("PROOF_INVALID", "test proof does not verify");
      v.verified++;
    },
  };
  return v;
}

export interface Side {
  agency: AgencyId;
  store: Store;
  issuer: ReceiptIssuer;
  endpoint: ReturnType<typeof createPeerEndpoint>;
}

export class Clock {
  constructor(public t = T0) {}
  now = () => this.t;
}

/** One agency's gateway on an in-memory store: its `/peer/graphql` endpoint and its receipt issuer. */
export async function makeSide(
  agency: AgencyId,
  ledger: LedgerReader,
  clock: Clock,
  opts: {
    prover?: QueryProver;
    options?: Partial<PeerEndpointOptions>;
    store?: Store;
    evidence?: PeerEndpointComponents["evidence"];
  } = {},
): Promise<Side> {
  const store = opts.store ?? (await openStore({ kind: "pglite" }));
  const repo = store.gateway;
  if (repo === undefined) throw new Error("store without gateway repository");
  await upsertRows(store);
  const issuer = await ReceiptIssuer.open(h, repo);
  const endpoint = createPeerEndpoint(
    {
      self: agency,
      signer: signerOf(agency),
      hasher: h,
      verifier,
      ledger,
      rows: store.localData,
      prover: opts.prover,
      ...(opts.evidence === undefined ? {} : { evidence: opts.evidence }),
      issuer,
      repo,
      now: clock.now,
    },
    { ...DEFAULT_PEER_ENDPOINT_OPTIONS, ...opts.options },
  );
  return { agency, store, issuer, endpoint };
}

async function upsertRows(store: Store): Promise<void> {
  await store.localData.upsertRows(
    DATASET,
    Object.entries(ROWS).map(([key, fields]) => ({ key, fields })),
    T0,
  );
}

/** A fetch that reaches the endpoints of in-process sides by host name (`http://<agency>/peer/graphql`). */
export function routedFetch(sides: Side[], log?: { bodies: unknown[]; headers: Headers[] }): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(String(input));
    const side = sides.find((s) => s.agency === url.host);
    if (side === undefined) throw new TypeError("fetch failed", { cause: { code: "ENOTFOUND" } });
    log?.bodies.push(JSON.parse(String(init?.body)));
    log?.headers.push(new Headers(init?.headers));
    return side.endpoint.fetch(url, init ?? {});
  }) as typeof fetch;
}

/** The asker's federation client of `agency`, over `fetch`. */
export function makeClient(
  agency: AgencyId,
  ledger: LedgerReader,
  clock: Clock,
  store: Store,
  fetchFn: typeof fetch,
  opts: {
    answerVerifier?: AnswerVerifier;
    /** Verified well-formedness records of the commitments the asker accepts answers over. */
    wellFormed?: FederationClientComponents["wellFormed"];
    requireWellFormed?: boolean;
    /** The asker's policy per grant (minimum group size sent with each call). */
    grantPolicy?: FederationClientComponents["grantPolicy"];
    transport?: Partial<TransportOptions>;
    tracer?: import("@opentelemetry/api").Tracer;
    /** The call log's repository, when not the store's own (e.g. one whose writes never land). */
    calls?: CallLogRepository;
  } = {},
): SignedFederationClient {
  const repo = store.gateway;
  if (repo === undefined) throw new Error("store without gateway repository");
  return createFederationClient(
    {
      self: agency,
      signer: signerOf(agency),
      hasher: h,
      verifier,
      ledger,
      peerUrl: (a) => `http://${a}`,
      now: clock.now,
      fetch: fetchFn,
      calls: opts.calls ?? repo,
      answerVerifier: opts.answerVerifier,
      ...(opts.wellFormed ? { wellFormed: opts.wellFormed } : {}),
      ...(opts.requireWellFormed === undefined ? {} : { requireWellFormed: opts.requireWellFormed }),
      ...(opts.grantPolicy ? { grantPolicy: opts.grantPolicy } : {}),
      ...(opts.tracer ? { tracer: opts.tracer } : {}),
    },
    {
      ...DEFAULT_TRANSPORT_OPTIONS,
      timeoutMs: 5000,
      requestTtlMs: 60_000,
      retries: 2,
      retryDelayMs: 1,
      maxBatch: 16,
      ...opts.transport,
    },
  );
}
