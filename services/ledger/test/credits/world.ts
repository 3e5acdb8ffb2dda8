import { createHash } from "node:crypto";
import {
  type AccessReceipt,
  type Block,
  type CreditSupply,
  derivedId,
  type Genesis,
  keys,
  type Params,
  receiptId,
  requestEnvelopeHash,
  signReceiptBatch,
  toHex,
  ZERO_SUPPLY,
} from "../../src/index.js";
import {
  datasetPayload,
  Scenario,
  signedBatch,
  testGenesis,
  testGenesisDoc,
  testSigner,
} from "../fixtures.js";

export interface WorldAgency {
  id: string;
  region: string;
  balance: bigint;
}

/** The validator (and regulator) of every credit world; it neither provides nor consumes data. */
export const CHAIR = "v.chair";

const digest = (tag: string) => new Uint8Array(createHash("sha256").update(tag).digest());

/**
 * A small in-process chain for the credit rules: agencies, datasets and grants, receipts recorded through real
 * signed txs, blocks committed one after another. Deterministic: no clock, no randomness.
 */
export class CreditWorld {
  readonly s: Scenario;
  readonly genesisTotal: bigint;
  readonly genesis: Genesis;
  private queued: Uint8Array[] = [];
  private nonce = 0;
  private grantSeq = new Map<string, number>();

  constructor(agencies: readonly WorldAgency[], params: Partial<Params> = {}) {
    const doc = testGenesisDoc({
      params: { epochLength: 10, ...params },
      agencies: [
        { id: CHAIR, region: "CN", roles: ["validator", "regulator"], balance: 0n },
        ...agencies.map((a) => ({ ...a, roles: ["member"] })),
      ].map((a) => ({
        id: a.id,
        name: `Agency ${a.id}`,
        region: a.region,
        publicKey: toHex(testSigner(a.id).publicKey),
        keyScheme: "ed25519",
        roles: a.roles,
        balance: String(a.balance),
      })),
      validators: [{ agency: CHAIR, power: 10 }],
    });
    this.genesis = testGenesis(doc);
    this.s = new Scenario(this.genesis);
    this.genesisTotal = agencies.reduce((n, a) => n + a.balance, 0n);
  }

  get height(): number {
    return this.s.ledger.head.height;
  }

  /** Queues a signed tx for the next block. */
  tx(...args: Parameters<Scenario["tx"]>): void {
    this.queued.push(this.s.tx(...args));
  }

  /** Commits the queued txs in one block; returns their codes (null = applied). */
  flush(): (string | null)[] {
    const txs = this.queued;
    this.queued = [];
    const block = this.s.block(txs, CHAIR);
    this.blocks.push(block);
    return this.s.commitBlock(block).outcome.txs.map((t) => t.code);
  }

  /** Every block committed so far, for replay. */
  readonly blocks: Block[] = [];

  /** Commits empty blocks until the current epoch has settled. */
  settle(): void {
    const start = this.s.ledger.state.get(keys.epoch)?.number ?? 0;
    while ((this.s.ledger.state.get(keys.epoch)?.number ?? 0) === start) this.flush();
  }

  /** Publishes a committed dataset of `provider` (indexed field covered, a verifying key per kind). */
  publish(provider: string, id: string, price: bigint, overrides: Record<string, unknown> = {}): void {
    this.tx(provider, "dataset.publish", {
      ...datasetPayload(id, { price, queryKinds: ["count"] }),
      commitment: {
        scheme: "poseidon-bn254-v1",
        root: digest(`root:${id}`),
        rowCount: 1000,
        indexedFields: ["ownerId"],
        verifyingKeys: [{ queryKind: "count", hash: digest(`vk:${id}`) }],
      },
      ...overrides,
    });
  }

  /** Grants `consumer` access to `dataset` of `provider`; returns the grant id. */
  grant(provider: string, dataset: string, consumer: string, quota = 1_000_000): string {
    const seq = this.s.nextSeq(provider);
    this.queued.push(
      this.s.tx(
        provider,
        "grant.issue",
        {
          dataset,
          grantee: consumer,
          queryKinds: ["count"],
          fields: ["ownerId"],
          purpose: "credit simulation",
          quota,
          expiresAt: this.s.time + 365 * 86_400_000,
        },
        { seq },
      ),
    );
    this.grantSeq.set(`${provider}/${consumer}/${dataset}`, seq);
    return derivedId(this.s.ledger.hasher, "grant", provider, seq);
  }

  private receipts(grant: string, dataset: string, provider: string, requester: string, n: number) {
    const out: { receipt: AccessReceipt; expiresAt: number; q: number }[] = [];
    for (let i = 0; i < n; i++) {
      const q = this.nonce++;
      const nonce = digest(`nonce:${q}`).subarray(0, 16);
      const time = this.s.time;
      const expiresAt = time + 120_000;
      const requestHash = requestEnvelopeHash(this.s.ledger.hasher, {
        requester,
        provider,
        grant,
        dataset,
        queryHash: digest(`query:${q}`),
        variablesHash: digest(`vars:${q}`),
        nonce,
        time,
        expiresAt,
      });
      out.push({
        q,
        expiresAt,
        receipt: {
          grant,
          dataset,
          provider,
          requester,
          queryKind: "count",
          requestHash,
          resultHash: digest(`result:${q}`),
          proofHash: digest(`proof:${q}`),
          nonce,
          time,
        },
      });
    }
    return out;
  }

  /** Queues an access.record of `n` co-signed receipts. */
  record(provider: string, requester: string, grant: string, dataset: string, n: number): void {
    const rs = this.receipts(grant, dataset, provider, requester, n).map((r) => r.receipt);
    this.tx(provider, "access.record", { batches: [signedBatch(this.s, provider, requester, rs)] });
  }

  /** Queues an access.attest of `n` receipts backed by the requester's request signatures; returns their ids. */
  attest(provider: string, requester: string, grant: string, dataset: string, n: number): Uint8Array[] {
    const rs = this.receipts(grant, dataset, provider, requester, n);
    const h = this.s.ledger.hasher;
    const receipts = rs.map((r) => r.receipt);
    this.tx(provider, "access.attest", {
      batches: [
        {
          requester,
          receipts,
          requests: rs.map((r, i) => ({
            queryHash: digest(`query:${r.q}`),
            variablesHash: digest(`vars:${r.q}`),
            expiresAt: r.expiresAt,
            signature: i,
          })),
          signatures: rs.map((r) => ({
            batch: null,
            signature: testSigner(requester).sign(r.receipt.requestHash),
          })),
          providerSig: signReceiptBatch(h, testSigner(provider), provider, requester, receipts),
        },
      ],
    });
    return receipts.map((r) => receiptId(h, r));
  }

  balance(agency: string): bigint {
    return this.s.ledger.state.get(keys.account(agency))?.balance ?? 0n;
  }

  supply(): CreditSupply {
    return this.s.ledger.state.get(keys.supply) ?? ZERO_SUPPLY;
  }
}
