import { createHash } from "node:crypto";
import {
  type AccessReceipt,
  type CommitCertificate,
  createVerifier,
  derivedId,
  ed25519Signer,
  type Genesis,
  keys,
  Ledger,
  parseGenesis,
  receiptId,
  type Signer,
  signCommit,
  signReceiptBatch,
  type TxBody,
  toHex,
} from "@coken/ledger";
import type { ExportBlock, ExportSource } from "../src/index.js";
import { proofTextHash } from "../src/index.js";

export const LAND = "sh.land";
export const HOUSING = "bj.housing";
export const REGULATOR = "regulator";
export const T0 = Date.UTC(2026, 0, 1);

export const signer = (id: string): Signer =>
  ed25519Signer(new Uint8Array(createHash("sha256").update(`audit-test:${id}`).digest()));

export function genesisText(): string {
  const agency = (id: string, region: string, roles: string[]) => ({
    id,
    name: id,
    region,
    publicKey: toHex(signer(id).publicKey),
    roles,
    balance: "100000",
  });
  return JSON.stringify({
    chainId: "coken-audit-test",
    genesisTime: new Date(T0).toISOString(),
    params: { epochLength: 3 },
    agencies: [
      agency(LAND, "CN-SH", ["validator", "member"]),
      agency(HOUSING, "CN-BJ", ["validator", "member"]),
      agency(REGULATOR, "CN", ["regulator"]),
    ],
    validators: [
      { agency: LAND, power: 1 },
      { agency: HOUSING, power: 1 },
    ],
  });
}

/** A small certified chain built in process, with the proof texts its proved receipts name. */
export interface TestChain {
  genesis: Genesis;
  genesisText: string;
  blocks: ExportBlock[];
  seen: CommitCertificate;
  proofs: Map<string, string>;
  receipts: number;
}

/** Deterministic bytes from a counter (no randomness: the same chain every run). */
function bytes(n: number, label: string, i: number): Uint8Array {
  return new Uint8Array(createHash("sha256").update(`${label}:${i}`).digest()).subarray(0, n);
}

/**
 * Builds: block 1 publishes a dataset and grants HOUSING count queries; then `rounds` blocks each record one batch
 * of `perBatch` co-signed receipts (every `provedEvery`th one proved, none for 0); a freeze and an unfreeze of the grant by the
 * regulator in between; a refused over-quota record at the end.
 */
export function buildChain(rounds = 4, perBatch = 5, quota = 1000, provedEvery = 3): TestChain {
  const text = genesisText();
  const genesis = parseGenesis(JSON.parse(text));
  const ledger = Ledger.fromGenesis(genesis, createVerifier());
  const h = ledger.hasher;
  const seqs = new Map<string, number>();
  const tx = (sender: string, kind: TxBody["kind"], payload: unknown) => {
    const seq = seqs.get(sender) ?? 0;
    seqs.set(sender, seq + 1);
    return ledger.signTx(signer(sender), { chain: genesis.chainId, kind, sender, seq, payload } as TxBody);
  };
  const blocks: ExportBlock[] = [];
  let last: CommitCertificate | null = null;
  let time = T0;
  const commit = (txs: Uint8Array[]) => {
    time += 1000;
    const block = ledger.buildBlock({ txs, time, proposer: LAND, lastCommit: last });
    const { outcome, appHash } = ledger.apply(block);
    last = signCommit(
      h,
      block,
      [LAND, HOUSING].map((v) => ({ validator: v, signer: signer(v) })),
      time + 500,
    );
    blocks.push({ block, appHash, results: outcome.txs.map((t) => t.code) });
    // A refused tx leaves its sender's sequence number where it was.
    for (const id of seqs.keys()) seqs.set(id, ledger.state.get(keys.account(id))?.seq ?? 0);
    return outcome.txs.map((t) => t.code);
  };
  commit([
    tx(LAND, "dataset.publish", {
      id: "sh/property",
      title: "Property",
      description: "",
      fields: [{ name: "ownerId", type: "string", indexed: true, personal: true }],
      region: "CN-SH",
      tags: [],
      updateFrequency: "daily",
      licence: "x",
      queryKinds: ["count", "lookup"],
      price: 1n,
      commitment: null,
    }),
    tx(LAND, "grant.issue", {
      dataset: "sh/property",
      grantee: HOUSING,
      queryKinds: ["count", "lookup"],
      fields: [],
      purpose: "test",
      quota,
      expiresAt: T0 + 86_400_000,
    }),
  ]);
  const grant = derivedId(h, "grant", LAND, 1);
  const proofs = new Map<string, string>();
  let n = 0;
  const receipts = (count: number): AccessReceipt[] =>
    Array.from({ length: count }, () => {
      const i = n++;
      const proved = provedEvery > 0 && i % provedEvery === 0;
      const proofText = `{"n":${i}}`;
      const r: AccessReceipt = {
        grant,
        dataset: "sh/property",
        provider: LAND,
        requester: HOUSING,
        queryKind: proved ? "count" : "lookup",
        requestHash: bytes(32, "request", i),
        resultHash: bytes(32, "result", i),
        proofHash: proofTextHash(h, proved ? proofText : "null"),
        nonce: bytes(16, "nonce", i),
        time: time + 500,
      };
      if (proved) proofs.set(toHex(receiptId(h, r)), proofText);
      return r;
    });
  const record = (rs: AccessReceipt[]) =>
    tx(LAND, "access.record", {
      batches: [
        {
          requester: HOUSING,
          receipts: rs,
          requesterSig: signReceiptBatch(h, signer(HOUSING), LAND, HOUSING, rs),
          providerSig: signReceiptBatch(h, signer(LAND), LAND, HOUSING, rs),
        },
      ],
    });
  const target = { kind: "grant", id: grant };
  for (let round = 0; round < rounds; round++) {
    const rs = receipts(perBatch);
    const txs = [record(rs)];
    if (round === 1) txs.push(tx(REGULATOR, "regulator.freeze", { target, reason: "review" }));
    if (round === 2) txs.push(tx(REGULATOR, "regulator.unfreeze", { target, reason: "cleared" }));
    const codes = commit(txs);
    if (codes[0] !== null && round !== 2) throw new Error(`record refused: ${codes[0]}`);
  }
  // One receipt more than the grant has left: refused QUOTA_EXCEEDED.
  const used = ledger.state.get(keys.grant(grant))?.used ?? 0;
  commit([record(receipts(quota - used + 1))]);
  return {
    genesis,
    genesisText: text,
    blocks,
    seen: last as unknown as CommitCertificate,
    proofs,
    receipts: n,
  };
}

/** An export source over a test chain. */
export function chainSource(c: TestChain): ExportSource {
  return {
    genesis: c.genesis,
    genesisText: c.genesisText,
    blocks: (async function* () {
      yield* c.blocks;
    })(),
    seenCommit: async () => c.seen,
    key: async () => undefined,
    proof: async (id) => c.proofs.get(id),
  };
}
