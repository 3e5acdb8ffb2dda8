import { createHash, randomBytes } from "node:crypto";
import {
  type AccessReceipt,
  createVerifier,
  derivedId,
  ed25519Signer,
  type Genesis,
  parseGenesis,
  type Signer,
  signCommit,
  signReceiptBatch,
  type TxBody,
  type TxPayloads,
  toHex,
} from "@coken/ledger";
import { openStore, type Store, StoredLedger } from "@coken/store";
import type { DatasetCall, FederationClient, VerifiedAnswer } from "../../src/federation/types.js";
import type { OfficialComponents } from "../../src/official/models.js";
import { createGatewayServer } from "../../src/server.js";

export const OWNER = "sh.land-registry";
export const SELF = "bj.housing";
export const OTHER = "gz.tax";
export const REGULATOR = "regulator";
export const T0 = Date.UTC(2026, 0, 1);
/** The gateway's clock in tests: one hour after genesis, well inside every live grant. */
export const NOW = T0 + 3_600_000;

export const signer = (id: string): Signer =>
  ed25519Signer(new Uint8Array(createHash("sha256").update(`gateway-test:${id}`).digest()));

const AGENCIES = [
  { id: OWNER, region: "CN-SH", roles: ["validator", "member"], balance: "1000" },
  { id: SELF, region: "CN-BJ", roles: ["validator", "member"], balance: "500" },
  { id: OTHER, region: "CN-GD", roles: ["member"], balance: "700" },
  { id: REGULATOR, region: "CN", roles: ["regulator", "validator"], balance: "0" },
];

function genesis(): Genesis {
  return parseGenesis({
    chainId: "coken-gateway-test",
    genesisTime: new Date(T0).toISOString(),
    agencies: AGENCIES.map((a) => ({
      id: a.id,
      name: `Agency ${a.id}`,
      region: a.region,
      publicKey: toHex(signer(a.id).publicKey),
      roles: a.roles,
      balance: a.balance,
    })),
    validators: AGENCIES.filter((a) => a.roles.includes("validator")).map((a) => ({
      agency: a.id,
      power: 1,
    })),
  });
}

export function dataset(id: string, overrides: Partial<TxPayloads["dataset.publish"]> = {}) {
  return {
    id,
    title: "Property ownership",
    description: "Registered owners of residential properties",
    fields: [
      { name: "ownerId", type: "string" as const, indexed: true, personal: true },
      { name: "area", type: "decimal" as const, indexed: true, personal: false },
      { name: "district", type: "string" as const, indexed: false, personal: false },
      { name: "builtOn", type: "date" as const, indexed: false, personal: false },
    ],
    region: "CN-SH",
    tags: ["property"],
    updateFrequency: "daily" as const,
    licence: "gov-internal-1.0",
    queryKinds: [
      "lookup" as const,
      "count" as const,
      "membership" as const,
      "threshold" as const,
      "sum" as const,
    ],
    price: 2n,
    commitment: null,
    ...overrides,
  };
}

/** A ledger driven block by block over a real store, with per-sender sequence numbers. */
export class Chain {
  time = T0;
  private readonly seqs = new Map<string, number>();
  constructor(
    readonly stored: StoredLedger,
    readonly store: Store,
  ) {}

  tx<K extends keyof TxPayloads>(sender: string, kind: K, payload: TxPayloads[K]): Uint8Array {
    const seq = this.seqs.get(sender) ?? 0;
    this.seqs.set(sender, seq + 1);
    const ledger = this.stored.ledger;
    return ledger.signTx(signer(sender), { chain: ledger.head.chain, kind, sender, seq, payload } as TxBody);
  }

  grantId(sender: string, seq: number): string {
    return derivedId(this.stored.ledger.hasher, "grant", sender, seq);
  }

  async commit(txs: Uint8Array[]): Promise<void> {
    this.time += 1000;
    const ledger = this.stored.ledger;
    const lastCommit = await this.stored.headCommit();
    const block = ledger.buildBlock({ txs, time: this.time, proposer: OWNER, lastCommit });
    // Every validator signs the block's certificate, as consensus would.
    const signers = ledger.nextValidators().map((v) => ({ validator: v.agency, signer: signer(v.agency) }));
    const certificate = signCommit(ledger.hasher, block, signers, this.time + 500);
    const codes = (await this.stored.apply(block, certificate)).outcome.txs.map((t) => t.code);
    if (codes.some((c) => c !== null)) throw new Error(`fixture tx refused: ${codes.join(",")}`);
  }

  receipts(
    grant: string,
    datasetId: string,
    provider: string,
    requester: string,
    n: number,
  ): AccessReceipt[] {
    return Array.from({ length: n }, () => ({
      grant,
      dataset: datasetId,
      provider,
      requester,
      queryKind: "count" as const,
      requestHash: randomBytes(32),
      resultHash: randomBytes(32),
      proofHash: randomBytes(32),
      nonce: randomBytes(16),
      time: this.time,
    }));
  }

  record(provider: string, requester: string, receipts: AccessReceipt[]): Uint8Array {
    const h = this.stored.ledger.hasher;
    return this.tx(provider, "access.record", {
      batches: [
        {
          requester,
          receipts,
          requesterSig: signReceiptBatch(h, signer(requester), provider, requester, receipts),
          providerSig: signReceiptBatch(h, signer(provider), provider, requester, receipts),
        },
      ],
    });
  }
}

export interface World {
  chain: Chain;
  store: Store;
  /** Grants: SELF's live grant on sh/property (lookup of area and district, count, membership, sum; quota 40), SELF's expired one, OTHER's. */
  grants: { live: string; expired: string; other: string; issuedBySelf: string };
  /** How many receipts the ledger holds with SELF as requester. */
  receiptCount: number;
  close(): Promise<void>;
}

/**
 * A chain with four agencies in four regions: OWNER publishes two datasets and grants; SELF publishes one and
 * grants OTHER; 23 receipts of SELF's calls to OWNER are recorded over three blocks; the regulator freezes a
 * dataset.
 */
export async function buildWorld(): Promise<World> {
  // In memory: these tests read what the store returns, its durability is the store's own tests' concern.
  const store = await openStore({ kind: "pglite" });
  const chain = new Chain(await StoredLedger.open(store, genesis(), createVerifier()), store);
  await chain.commit([
    chain.tx(OWNER, "dataset.publish", dataset("sh/property")),
    chain.tx(
      OWNER,
      "dataset.publish",
      dataset("sh/permits", { title: "Building permits", tags: ["permits"], queryKinds: ["count"] }),
    ),
    chain.tx(
      SELF,
      "dataset.publish",
      dataset("bj/households", {
        title: "Households",
        region: "CN-BJ",
        tags: ["census"],
        queryKinds: ["membership"],
      }),
    ),
  ]);
  const live = chain.tx(OWNER, "grant.issue", {
    dataset: "sh/property",
    grantee: SELF,
    queryKinds: ["lookup", "count", "membership", "sum"],
    fields: ["area", "district"],
    purpose: "housing subsidy checks",
    quota: 40,
    expiresAt: T0 + 30 * 86_400_000,
  });
  const expired = chain.tx(OWNER, "grant.issue", {
    dataset: "sh/permits",
    grantee: SELF,
    queryKinds: ["count"],
    fields: [],
    purpose: "short study",
    quota: 5,
    expiresAt: T0 + 60_000,
  });
  const other = chain.tx(OWNER, "grant.issue", {
    dataset: "sh/property",
    grantee: OTHER,
    queryKinds: ["count"],
    fields: [],
    purpose: "tax",
    quota: 5,
    expiresAt: T0 + 30 * 86_400_000,
  });
  const issuedBySelf = chain.tx(SELF, "grant.issue", {
    dataset: "bj/households",
    grantee: OTHER,
    queryKinds: ["membership"],
    fields: [],
    purpose: "residency",
    quota: 100,
    expiresAt: T0 + 30 * 86_400_000,
  });
  await chain.commit([live, expired, other, issuedBySelf]);
  const grants = {
    // OWNER's seq 0 and 1 published its datasets.
    live: chain.grantId(OWNER, 2),
    expired: chain.grantId(OWNER, 3),
    other: chain.grantId(OWNER, 4),
    issuedBySelf: chain.grantId(SELF, 1),
  };
  let receiptCount = 0;
  for (const n of [10, 8, 5]) {
    await chain.commit([
      chain.record(OWNER, SELF, chain.receipts(grants.live, "sh/property", OWNER, SELF, n)),
    ]);
    receiptCount += n;
  }
  await chain.commit([
    chain.tx(REGULATOR, "regulator.freeze", {
      target: { kind: "dataset", id: "sh/permits" },
      reason: "audit",
    }),
  ]);
  return {
    chain,
    store,
    grants,
    receiptCount,
    close: async () => {
      await store.close();
    },
  };
}

/**
 * A deterministic FederationClient: answers from a fixed table as a provider would, after a verified proof;
 * records every call. Stands in for the signed inter-agency client in tests of the officials' endpoint.
 */
export class ScriptedFederation implements FederationClient {
  readonly calls: DatasetCall[] = [];
  readonly traceparents: (string | undefined)[] = [];
  fail: Error | null = null;

  async call(call: DatasetCall, context?: { traceparent?: string }): Promise<VerifiedAnswer> {
    this.calls.push(call);
    this.traceparents.push(context?.traceparent);
    if (this.fail) throw this.fail;
    const q = call.query;
    const result =
      q.kind === "lookup"
        ? {
            kind: "lookup" as const,
            found: q.key === "parcel-1",
            fields: { area: "88.5", district: "Xuhui", ownerId: "P-SECRET" },
          }
        : q.kind === "count"
          ? { kind: "count" as const, count: 42 }
          : q.kind === "membership"
            ? { kind: "membership" as const, member: true }
            : q.kind === "sum"
              ? { kind: "sum" as const, count: 3, sum: "250.5" }
              : q.kind === "threshold"
                ? { kind: "threshold" as const, holds: true }
                : { kind: "filter" as const, count: 1 };
    return {
      provider: call.provider,
      dataset: call.dataset,
      result,
      verification: {
        proof:
          q.kind === "lookup"
            ? null
            : { system: "groth16", verified: true, commitment: "ab".repeat(32), circuit: `${q.kind}-d20` },
        receipt: { id: createHash("sha256").update(JSON.stringify(call)).digest("hex") },
        providerSignature: "00".repeat(64),
        providerBatch: null,
      },
    };
  }
}

/** Officials' components over a world, asking through `federation`. */
export function officialOf(world: World, federation: FederationClient, self = SELF): OfficialComponents {
  return {
    self,
    ledger: world.chain.stored.ledger.state,
    chain: world.store.ledger,
    federation,
    clock: () => NOW,
  };
}

/** A world served by a gateway on a free port (scripted federation, no rate limit); `close` stops both. */
export async function serveWorld(): Promise<{ world: World; url: string; close(): Promise<void> }> {
  const world = await buildWorld();
  const server = createGatewayServer({ officialRateLimit: null })({
    official: officialOf(world, new ScriptedFederation()),
  });
  const url = await server.listen();
  return {
    world,
    url,
    close: async () => {
      await server.close();
      await world.close();
    },
  };
}
