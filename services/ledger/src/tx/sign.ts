import { toHex } from "../bytes.js";
import type { Hasher } from "../crypto/hash.js";
import { merkleRoot } from "../crypto/merkle.js";
import type { KeyScheme, Signer, Verifier } from "../crypto/signature.js";
import { encodeCbor } from "../encoding/cbor.js";
import { encodeTxBody } from "./codec.js";
import type { AccessReceipt, SignedTx, TxBody } from "./types.js";

/**
 * Ids computed before, by object. Decoded txs and receipts are treated as immutable values: a mempool re-checks
 * the same decoded tx after every commit, and re-encoding it each time to hash it again was most of that cost.
 */
const txIds = new WeakMap<TxBody, { h: Hasher; id: Uint8Array }>();
const receiptIds = new WeakMap<AccessReceipt, { h: Hasher; id: Uint8Array }>();

/** Transaction id: H("tx.body", body bytes). Signatures are not part of it, so a re-signed tx keeps its id. */
export function txId(h: Hasher, body: TxBody): Uint8Array {
  const known = txIds.get(body);
  if (known !== undefined && known.h === h) return known.id;
  const id = h.hash("tx.body", encodeTxBody(body));
  txIds.set(body, { h, id });
  return id;
}

/** The sender signs the 32-byte tx id. */
export function signTx<K extends TxBody>(h: Hasher, signer: Signer, body: K): SignedTx {
  return { body, sig: signer.sign(txId(h, body)) };
}

export function verifyTxSignature(
  h: Hasher,
  verifier: Verifier,
  scheme: KeyScheme,
  publicKey: Uint8Array,
  tx: SignedTx,
): boolean {
  return verifier.verify(scheme, publicKey, txId(h, tx.body), tx.sig);
}

/** Receipt id: H("receipt", canonical receipt bytes). */
export function receiptId(h: Hasher, r: AccessReceipt): Uint8Array {
  const known = receiptIds.get(r);
  if (known !== undefined && known.h === h) return known.id;
  const id = h.hash("receipt", encodeCbor(r as unknown as Parameters<typeof encodeCbor>[0]));
  receiptIds.set(r, { h, id });
  return id;
}

/**
 * What both parties sign for a batch: H("receipt.batch", cbor({provider, requester, root, count})) where
 * root is the Merkle root of the receipt ids in order. It is also the batch's leaf in the receipt log.
 */
export function batchHash(
  h: Hasher,
  provider: string,
  requester: string,
  root: Uint8Array,
  count: number,
): Uint8Array {
  return h.hash("receipt.batch", encodeCbor({ provider, requester, root, count }));
}

export function receiptBatchRoot(h: Hasher, receipts: readonly AccessReceipt[]): Uint8Array {
  return merkleRoot(
    h,
    receipts.map((r) => receiptId(h, r)),
  );
}

/** Signs a batch as one party (requester or provider). */
export function signReceiptBatch(
  h: Hasher,
  signer: Signer,
  provider: string,
  requester: string,
  receipts: readonly AccessReceipt[],
): Uint8Array {
  return signer.sign(batchHash(h, provider, requester, receiptBatchRoot(h, receipts), receipts.length));
}

/** Derives grant and proposal ids from the creating tx: hex(H("id." + kind, sender, seq)[0..16]). */
export function derivedId(
  h: Hasher,
  kind: "grant" | "proposal" | "voucher",
  sender: string,
  seq: number,
): string {
  return toHex(h.hash(`id.${kind}`, encodeCbor([sender, seq])).subarray(0, 16));
}
