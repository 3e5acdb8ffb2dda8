import { createHash } from "node:crypto";
import {
  type AccessReceipt,
  type Block,
  blockHash,
  type CommitCertificate,
  type CommittedBlock,
  createVerifier,
  derivedId,
  type EpochSettlement,
  ed25519Signer,
  type Genesis,
  keys,
  Ledger,
  parseGenesis,
  type Role,
  type Signer,
  signReceiptBatch,
  type TxBody,
  type TxKind,
  type TxPayloads,
  toHex,
  voteSignBytes,
} from "../src/index.js";

/** Deterministic test keys: seed = SHA-256("coken-test-key:" + name). */
export function testSigner(name: string): Signer {
  return ed25519Signer(new Uint8Array(createHash("sha256").update(`coken-test-key:${name}`).digest()));
}

export const T0 = Date.UTC(2026, 0, 1);

export interface TestAgency {
  id: string;
  region: string;
  roles: Role[];
  balance?: number;
}

export const AGENCIES: TestAgency[] = [
  { id: "sh.land-registry", region: "CN-SH", roles: ["validator", "member"], balance: 1000 },
  { id: "bj.housing", region: "CN-BJ", roles: ["validator", "member"], balance: 500 },
  { id: "gz.tax", region: "CN-GD", roles: ["validator", "member"] },
  { id: "regulator", region: "CN", roles: ["regulator", "validator"] },
  { id: "auditor", region: "CN", roles: ["auditor"] },
];

export function testGenesisDoc(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    chainId: "coken-test",
    genesisTime: new Date(T0).toISOString(),
    hashAlgorithm: "sha256",
    params: { epochLength: 5 },
    agencies: AGENCIES.map((a) => ({
      id: a.id,
      name: `Agency ${a.id}`,
      region: a.region,
      publicKey: toHex(testSigner(a.id).publicKey),
      keyScheme: "ed25519",
      roles: a.roles,
      balance: String(a.balance ?? 0),
    })),
    validators: AGENCIES.filter((a) => a.roles.includes("validator")).map((a) => ({
      agency: a.id,
      power: 10,
    })),
    ...overrides,
  };
}

export function testGenesis(overrides: Record<string, unknown> = {}): Genesis {
  return parseGenesis(testGenesisDoc(overrides));
}

/**
 * A commit certificate of `block` signed by `signers` (test keys) in round `round`, in the given order (the
 * canonical order is ascending by id); each precommit's time is the block time + 500 ms + its position.
 */
export function certify(
  ledger: Ledger,
  signers: readonly string[],
  block: Block,
  round = 0,
): CommitCertificate {
  const h = ledger.hasher;
  const hash = blockHash(h, block.header);
  const { height, chain } = block.header;
  return {
    height,
    round,
    blockHash: hash,
    signatures: signers.map((validator, i) => {
      const time = block.header.time + 500 + i;
      const msg = voteSignBytes(h, { chain, type: "precommit", height, round, blockHash: hash, time });
      return { validator, time, signature: testSigner(validator).sign(msg) };
    }),
  };
}

/** A ledger plus per-sender sequence tracking, for writing scenarios block by block. */
export class Scenario {
  readonly ledger: Ledger;
  // Txs signed per sender since the last commit, added to the committed sequence number.
  private readonly pending = new Map<string, number>();
  time: number;
  /** Certificate of the head block by every validator in force for it (its seen commit); null at genesis. */
  lastCommit: CommitCertificate | null = null;

  constructor(genesis: Genesis = testGenesis(), settlement?: EpochSettlement) {
    this.ledger = Ledger.fromGenesis(genesis, createVerifier(), settlement);
    this.time = genesis.genesisTime;
  }

  nextSeq(sender: string): number {
    const n = this.pending.get(sender) ?? 0;
    this.pending.set(sender, n + 1);
    return (this.ledger.state.get(keys.account(sender))?.seq ?? 0) + n;
  }

  /** Signs a tx from `sender` with the next sequence number. */
  tx<K extends TxKind>(
    sender: string,
    kind: K,
    payload: TxPayloads[K],
    opts: { seq?: number } = {},
  ): Uint8Array {
    const body = {
      chain: this.ledger.head.chain,
      kind,
      sender,
      seq: opts.seq ?? this.nextSeq(sender),
      payload,
    } as TxBody;
    return this.ledger.signTx(testSigner(sender), body);
  }

  block(txs: Uint8Array[], proposer = "sh.land-registry", evidence: Uint8Array[] = []): Block {
    this.time += 1000;
    return this.ledger.buildBlock({ txs, evidence, time: this.time, proposer, lastCommit: this.lastCommit });
  }

  /** Builds, executes and commits a block; returns the tx result codes (null = applied). */
  commit(txs: Uint8Array[]): (string | null)[] {
    return this.commitBlock(this.block(txs)).outcome.txs.map((t) => t.code);
  }

  /** Executes and commits a block, then has every validator in force for it sign its certificate. */
  commitBlock(block: Block): CommittedBlock {
    this.pending.clear();
    const signers = this.ledger.nextValidators().map((v) => v.agency);
    const committed = this.ledger.apply(block);
    this.lastCommit = certify(this.ledger, signers, block);
    return committed;
  }
}

export function datasetPayload(id: string, overrides: Partial<TxPayloads["dataset.publish"]> = {}) {
  return {
    id,
    title: "Property ownership",
    description: "Registered owners of residential properties",
    fields: [
      { name: "ownerId", type: "string" as const, indexed: true, personal: true },
      { name: "area", type: "decimal" as const, indexed: false, personal: false },
    ],
    region: "CN-SH",
    tags: ["property"],
    updateFrequency: "daily" as const,
    licence: "gov-internal-1.0",
    queryKinds: ["count" as const, "membership" as const],
    price: 2n,
    commitment: null,
    ...overrides,
  };
}

export function receipt(
  grant: string,
  dataset: string,
  provider: string,
  requester: string,
  time: number,
  n = 0,
): AccessReceipt {
  const bytes = (tag: string) =>
    new Uint8Array(createHash("sha256").update(`${tag}:${grant}:${n}:${time}`).digest());
  return {
    grant,
    dataset,
    provider,
    requester,
    queryKind: "count",
    requestHash: bytes("req"),
    resultHash: bytes("res"),
    proofHash: bytes("proof"),
    nonce: bytes("nonce").subarray(0, 16),
    time,
  };
}

/** A receipt batch signed by both sides. */
export function signedBatch(s: Scenario, provider: string, requester: string, receipts: AccessReceipt[]) {
  const h = s.ledger.hasher;
  return {
    requester,
    receipts,
    requesterSig: signReceiptBatch(h, testSigner(requester), provider, requester, receipts),
    providerSig: signReceiptBatch(h, testSigner(provider), provider, requester, receipts),
  };
}

/**
 * Publishes `dataset` as `owner` (count queries, `ownerId` indexed) and grants `grantee` count queries over
 * `ownerId` with `quota`, in one block; returns the grant id. Both txs must apply.
 */
export function publishAndGrant(
  s: Scenario,
  quota = 10,
  { owner = "sh.land-registry", grantee = "bj.housing", dataset = "sh/property" } = {},
): string {
  const seq = s.nextSeq(owner) + 1;
  const codes = s.commit([
    s.tx(owner, "dataset.publish", datasetPayload(dataset), { seq: seq - 1 }),
    s.tx(
      owner,
      "grant.issue",
      {
        dataset,
        grantee,
        queryKinds: ["count"],
        fields: ["ownerId"],
        purpose: "purchase restriction check",
        quota,
        expiresAt: s.time + 86_400_000,
      },
      { seq },
    ),
  ]);
  if (codes.some((c) => c !== null)) throw new Error(`publishAndGrant: refused ${JSON.stringify(codes)}`);
  return derivedId(s.ledger.hasher, "grant", owner, seq);
}
