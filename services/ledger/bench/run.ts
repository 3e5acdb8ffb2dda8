import { createHash, randomBytes } from "node:crypto";
import {
  type AccessReceipt,
  type CommitCertificate,
  createVerifier,
  derivedId,
  ed25519Signer,
  encodeTx,
  Ledger,
  parseGenesis,
  type ReceiptBatch,
  type Signer,
  signCommit,
  signReceiptBatch,
  signTx,
  toHex,
} from "../src/index.js";
import { machine, writeSection } from "./report.js";

const T0 = Date.UTC(2026, 0, 1);
const seedOf = (name: string) => new Uint8Array(createHash("sha256").update(`bench:${name}`).digest());
const PROVIDER = "sh.land-registry";
const REQUESTER = "bj.housing";
const signers: Record<string, Signer> = {
  [PROVIDER]: ed25519Signer(seedOf(PROVIDER)),
  [REQUESTER]: ed25519Signer(seedOf(REQUESTER)),
};

function newLedger(): Ledger {
  const agencies = Object.entries(signers).map(([id, s]) => ({
    id,
    name: id,
    region: "CN",
    publicKey: toHex(s.publicKey),
    roles: ["validator", "member"],
    balance: "1000000000",
  }));
  const genesis = parseGenesis({
    chainId: "coken-bench",
    genesisTime: new Date(T0).toISOString(),
    params: { maxReceiptsPerTx: 1_000_000, epochLength: 1_000_000 },
    agencies,
    validators: agencies.map((a) => ({ agency: a.id, power: 1 })),
  });
  return Ledger.fromGenesis(genesis, createVerifier());
}

function seconds(f: () => void): number {
  const t = process.hrtime.bigint();
  f();
  return Number(process.hrtime.bigint() - t) / 1e9;
}

let time = T0;
let lastCommit: CommitCertificate | null = null;
function commit(ledger: Ledger, txs: Uint8Array[]): { secs: number; codes: (string | null)[] } {
  time += 1000;
  const block = ledger.buildBlock({ txs, time, proposer: PROVIDER, lastCommit });
  // Both validators certify the block; the next one carries the certificate (and is checked against it).
  const validators = Object.entries(signers).map(([validator, signer]) => ({ validator, signer }));
  lastCommit = signCommit(ledger.hasher, block, validators, time);
  let codes: (string | null)[] = [];
  const secs = seconds(() => {
    codes = ledger.apply(block).outcome.txs.map((t) => t.code);
  });
  if (codes.some((c) => c !== null)) throw new Error(`bench tx refused: ${codes.find((c) => c !== null)}`);
  return { secs, codes };
}

function tx(ledger: Ledger, sender: string, seq: number, kind: string, payload: unknown): Uint8Array {
  return encodeTx(
    signTx(
      ledger.hasher,
      signers[sender] as Signer,
      { chain: "coken-bench", kind, sender, seq, payload } as never,
    ),
  );
}

function setup(ledger: Ledger): string {
  commit(ledger, [
    tx(ledger, PROVIDER, 0, "dataset.publish", {
      id: "sh/property",
      title: "Property",
      description: "",
      fields: [{ name: "ownerId", type: "string", indexed: true, personal: true }],
      region: "CN",
      tags: [],
      updateFrequency: "daily",
      licence: "x",
      queryKinds: ["count"],
      price: 1n,
      commitment: null,
    }),
    tx(ledger, PROVIDER, 1, "grant.issue", {
      dataset: "sh/property",
      grantee: REQUESTER,
      queryKinds: ["count"],
      fields: [],
      purpose: "bench",
      quota: 1e9,
      expiresAt: T0 + 10 * 86_400_000,
    }),
  ]);
  return derivedId(ledger.hasher, "grant", PROVIDER, 1);
}

function receipts(grant: string, n: number, at: number): AccessReceipt[] {
  return Array.from({ length: n }, () => ({
    grant,
    dataset: "sh/property",
    provider: PROVIDER,
    requester: REQUESTER,
    queryKind: "count" as const,
    requestHash: randomBytes(32),
    resultHash: randomBytes(32),
    proofHash: randomBytes(32),
    nonce: randomBytes(16),
    time: at,
  }));
}

function batch(ledger: Ledger, rs: AccessReceipt[]): ReceiptBatch {
  const h = ledger.hasher;
  return {
    requester: REQUESTER,
    receipts: rs,
    requesterSig: signReceiptBatch(h, signers[REQUESTER] as Signer, PROVIDER, REQUESTER, rs),
    providerSig: signReceiptBatch(h, signers[PROVIDER] as Signer, PROVIDER, REQUESTER, rs),
  };
}

/** Receipts applied per second when each tx carries `batches` batches of `perBatch` receipts. */
function receiptThroughput(total: number, perBatch: number, batchesPerTx: number): number {
  const ledger = newLedger();
  const grant = setup(ledger);
  let seq = 2;
  let secs = 0;
  const perTx = perBatch * batchesPerTx;
  const blocks = Math.max(1, Math.round(total / perTx / 50));
  const txsPerBlock = Math.ceil(total / perTx / blocks);
  for (let b = 0; b < blocks; b++) {
    const txs = Array.from({ length: txsPerBlock }, () =>
      tx(ledger, PROVIDER, seq++, "access.record", {
        batches: Array.from({ length: batchesPerTx }, () =>
          batch(ledger, receipts(grant, perBatch, time + 1000)),
        ),
      }),
    );
    secs += commit(ledger, txs).secs;
  }
  return (blocks * txsPerBlock * perTx) / secs;
}

function transferThroughput(n: number): number {
  const ledger = newLedger();
  const txs = Array.from({ length: n }, (_, i) =>
    tx(ledger, PROVIDER, i, "credit.transfer", { to: REQUESTER, amount: 1n, memo: "" }),
  );
  return n / commit(ledger, txs).secs;
}

function verifyRate(n: number): number {
  const v = createVerifier();
  const s = signers[PROVIDER] as Signer;
  const msgs = Array.from({ length: n }, () => randomBytes(32));
  const sigs = msgs.map((m) => s.sign(m));
  const secs = seconds(() => {
    for (let i = 0; i < n; i++)
      if (!v.verify("ed25519", s.publicKey, msgs[i] as Uint8Array, sigs[i] as Uint8Array))
        throw new Error("verify");
  });
  return n / secs;
}

const fmt = (x: number) => Math.round(x).toLocaleString("en-US");

// Warm up the JIT and key caches once before measuring.
receiptThroughput(2_000, 100, 1);
transferThroughput(500);

const verify = verifyRate(20_000);
const transfers = transferThroughput(10_000);
const perReceiptSigned = receiptThroughput(10_000, 1, 100);
const batched = receiptThroughput(100_000, 1000, 2);
const rows = [
  ["Ed25519 verify (node:crypto), one core", `${fmt(verify)} /s`, "—"],
  [
    "`credit.transfer` txs applied (1 signature each)",
    `${fmt(transfers)} tx/s`,
    `${(transfers / verify).toFixed(2)} × verify rate`,
  ],
  [
    "receipts, one batch per receipt (2 signatures per receipt)",
    `${fmt(perReceiptSigned)} receipts/s`,
    "1.00 (baseline)",
  ],
  [
    "receipts, batches of 1,000 (2 signatures per batch)",
    `${fmt(batched)} receipts/s`,
    `${(batched / perReceiptSigned).toFixed(1)} × baseline`,
  ],
];
const table = ["| what | rate | ratio |", "|---|---|---|", ...rows.map((r) => `| ${r.join(" | ")} |`)].join(
  "\n",
);
const report = `## Ledger: pure apply throughput

Machine: ${machine()}. Date: ${new Date().toISOString().slice(0, 10)}.
One process, one core: decode, all signature checks, state updates and the app hash at each block commit.

${table}

Amortising both parties' signatures over a batch's Merkle root moves the cost from Ed25519 verification to
hashing (receipt id, Merkle tree) and map updates.`;
writeSection("ledger", report);
process.stdout.write(`${report}\n`);
