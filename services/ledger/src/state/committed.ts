import { utf8 } from "../bytes.js";
import type { Hasher } from "../crypto/hash.js";
import { type SmtProof, SparseMerkleTree } from "../crypto/smt.js";
import { type CborValue, decodeCbor, encodeCbor } from "../encoding/cbor.js";
import { EncodingError } from "../encoding/errors.js";
import { FingerprintSet } from "./fingerprint-set.js";
import { recordKindOf, type StateKey } from "./keys.js";
import { type RecordKind, recordDecoders, type StateRecord, type StateRecords } from "./records.js";
import type { RecordedReceiptKey, StateDiff, StateReader } from "./view.js";

/** Encoded state write, as the store persists it. */
export interface EncodedWrite {
  key: string;
  value: Uint8Array | null;
}

const RECEIPT_BUCKET_MS = 60_000;

/** Canonical bytes of a state record. */
export function encodeRecord(record: StateRecord): Uint8Array {
  return encodeCbor(record as unknown as CborValue);
}

/** Parses a stored record for `key`; throws `EncodingError` for unknown keys or malformed values. */
export function decodeRecord(key: string, value: Uint8Array): StateRecord {
  const kind = recordKindOf(key);
  if (kind === undefined) throw new EncodingError("SCHEMA", `key outside the state layout: ${key}`);
  return recordDecoders[kind](decodeCbor(value), key);
}

export function stateKeyHash(h: Hasher, key: string): Uint8Array {
  return h.hash("state.key", utf8.encode(key));
}

export function stateValueHash(h: Hasher, value: Uint8Array): Uint8Array {
  return h.hash("state.value", value);
}

/**
 * The state as of the last committed block: records, their sparse Merkle tree (whose root is the app hash) and
 * the window of recent receipt ids used to refuse duplicates. Owned by one writer (the block executor).
 */
export class CommittedState implements StateReader {
  private readonly records = new Map<string, StateRecord>();
  private readonly tree: SparseMerkleTree;
  // Receipt ids and request hashes by minute of their time: a duplicate has the same time, so only one bucket is
  // searched. Held by their first 128 bits (FingerprintSet): the window holds two hashes per receipt recorded in the
  // last receiptMaxAgeMs, and that is most of a validator's heap under load.
  private readonly receiptBuckets = new Map<number, { ids: FingerprintSet; requests: FingerprintSet }>();

  constructor(readonly hasher: Hasher) {
    this.tree = new SparseMerkleTree(hasher);
  }

  get<K extends RecordKind>(key: StateKey<K>): StateRecords[K] | undefined {
    return this.records.get(key) as StateRecords[K] | undefined;
  }

  seenReceipt(id: string, time: number): boolean {
    return this.receiptBuckets.get(Math.floor(time / RECEIPT_BUCKET_MS))?.ids.has(id) ?? false;
  }

  seenRequest(requestHash: string, time: number): boolean {
    return this.receiptBuckets.get(Math.floor(time / RECEIPT_BUCKET_MS))?.requests.has(requestHash) ?? false;
  }

  /** Applies a block's diff; returns the encoded writes for the store. */
  commit(diff: StateDiff): EncodedWrite[] {
    const out: EncodedWrite[] = [];
    for (const [key, value] of diff.writes) {
      const keyHash = stateKeyHash(this.hasher, key);
      if (value === null) {
        if (!this.records.delete(key)) continue;
        this.tree.delete(keyHash);
        out.push({ key, value: null });
      } else {
        const bytes = encodeRecord(value);
        this.records.set(key, value);
        this.tree.set(keyHash, stateValueHash(this.hasher, bytes));
        out.push({ key, value: bytes });
      }
    }
    this.rememberReceipts(diff.receipts);
    return out;
  }

  /** Re-adds receipts to the duplicate window (after a restart, from the store's receipt index). */
  rememberReceipts(receipts: readonly RecordedReceiptKey[]): void {
    for (const r of receipts) {
      const bucket = Math.floor(r.time / RECEIPT_BUCKET_MS);
      let sets = this.receiptBuckets.get(bucket);
      if (sets === undefined) {
        sets = { ids: new FingerprintSet(), requests: new FingerprintSet() };
        this.receiptBuckets.set(bucket, sets);
      }
      sets.ids.add(r.id);
      sets.requests.add(r.request);
    }
  }

  /** Forgets receipt ids whose time is before `cutoff`; receipts that old are refused by the age rule anyway. */
  pruneReceipts(cutoff: number): void {
    const last = Math.floor(cutoff / RECEIPT_BUCKET_MS);
    for (const bucket of this.receiptBuckets.keys()) if (bucket < last) this.receiptBuckets.delete(bucket);
  }

  /** Bytes the duplicate window's tables hold. */
  receiptWindowBytes(): number {
    let n = 0;
    for (const { ids, requests } of this.receiptBuckets.values()) n += ids.bytes + requests.bytes;
    return n;
  }

  appHash(): Uint8Array {
    return this.tree.rootHash();
  }

  prove(key: string): SmtProof {
    return this.tree.prove(stateKeyHash(this.hasher, key));
  }

  /** All records, sorted by key. */
  entries(): [string, StateRecord][] {
    return [...this.records.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  /** Rebuilds committed state from stored (key, bytes) pairs. */
  static fromEncoded(hasher: Hasher, entries: Iterable<{ key: string; value: Uint8Array }>): CommittedState {
    const state = new CommittedState(hasher);
    const writes = new Map<string, StateRecord>();
    for (const { key, value } of entries) writes.set(key, decodeRecord(key, value));
    state.commit({ writes, receipts: [] });
    return state;
  }
}
