import { randomFillSync } from "node:crypto";
import {
  type AccessReceipt,
  batchHash,
  derivedId,
  encodeTx,
  type Hasher,
  merkleRoot,
  receiptId,
  type Signer,
  signTx,
  type TxBody,
} from "@coken/ledger";

export const DATASET = "sh/property";

/** The two agencies of the workload and how their txs are signed. */
export interface Workload {
  chain: string;
  hasher: Hasher;
  provider: string;
  requester: string;
  providerSigner: Signer;
  requesterSigner: Signer;
}

function tx(w: Workload, seq: number, kind: string, payload: unknown): Uint8Array {
  const body = { chain: w.chain, kind, sender: w.provider, seq, payload } as unknown as TxBody;
  return encodeTx(signTx(w.hasher, w.providerSigner, body));
}

/** The grant issued by the provider's tx of sequence 1. */
export function grantOf(w: Workload): string {
  return derivedId(w.hasher, "grant", w.provider, 1);
}

/** Sequence 0 publishes the dataset, sequence 1 grants the requester `count` queries for ten days. */
export function setupTxs(w: Workload, now: number): Uint8Array[] {
  return [
    tx(w, 0, "dataset.publish", {
      id: DATASET,
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
    tx(w, 1, "grant.issue", {
      dataset: DATASET,
      grantee: w.requester,
      queryKinds: ["count"],
      fields: [],
      purpose: "bench",
      quota: 1e12,
      expiresAt: now + 10 * 86_400_000,
    }),
  ];
}

/**
 * One access.record tx of sequence `seq` carrying one batch of `n` fresh receipts timed `time`, co-signed by
 * both parties over the batch's Merkle root (the receipt ids are hashed once here, as signReceiptBatch would
 * twice).
 */
export function accessTx(w: Workload, seq: number, n: number, time: number): Uint8Array {
  const grant = grantOf(w);
  const random = randomFillSync(new Uint8Array(112 * n));
  const receipts: AccessReceipt[] = [];
  for (let i = 0; i < n; i++) {
    const o = 112 * i;
    receipts.push({
      grant,
      dataset: DATASET,
      provider: w.provider,
      requester: w.requester,
      queryKind: "count",
      requestHash: random.slice(o, o + 32),
      resultHash: random.slice(o + 32, o + 64),
      proofHash: random.slice(o + 64, o + 96),
      nonce: random.slice(o + 96, o + 112),
      time,
    });
  }
  const h = w.hasher;
  const hash = batchHash(
    h,
    w.provider,
    w.requester,
    merkleRoot(
      h,
      receipts.map((r) => receiptId(h, r)),
    ),
    n,
  );
  return tx(w, seq, "access.record", {
    batches: [
      {
        requester: w.requester,
        receipts,
        requesterSig: w.requesterSigner.sign(hash),
        providerSig: w.providerSigner.sign(hash),
      },
    ],
  });
}

/** `count` access.record txs from sequence `firstSeq` on, built now; returns them and the build time. */
export function accessTxs(
  w: Workload,
  firstSeq: number,
  count: number,
  n: number,
): { txs: Uint8Array[]; ms: number } {
  const t = performance.now();
  const txs: Uint8Array[] = [];
  for (let i = 0; i < count; i++) txs.push(accessTx(w, firstSeq + i, n, Date.now()));
  return { txs, ms: performance.now() - t };
}

/** Length-prefixed concatenation, to hand txs to worker processes through a file. */
export function packTxs(txs: Uint8Array[]): Uint8Array {
  const total = txs.reduce((n, t) => n + 4 + t.length, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let o = 0;
  for (const t of txs) {
    view.setUint32(o, t.length);
    out.set(t, o + 4);
    o += 4 + t.length;
  }
  return out;
}

export function unpackTxs(bytes: Uint8Array): Uint8Array[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Uint8Array[] = [];
  let o = 0;
  while (o < bytes.length) {
    const len = view.getUint32(o);
    out.push(bytes.slice(o + 4, o + 4 + len));
    o += 4 + len;
  }
  return out;
}
