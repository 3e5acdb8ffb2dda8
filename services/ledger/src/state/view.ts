import type { StateKey } from "./keys.js";
import type { RecordKind, StateRecord, StateRecords } from "./records.js";

/** Read access to ledger state, as handlers see it. */
export interface StateReader {
  get<K extends RecordKind>(key: StateKey<K>): StateRecords[K] | undefined;
  /** Whether a receipt with this id (hex) and time was already recorded. */
  seenReceipt(id: string, time: number): boolean;
  /** Whether a receipt of the request with this hash (hex) and time was already recorded. */
  seenRequest(requestHash: string, time: number): boolean;
}

/** A receipt recorded by a tx: its id, request time and request hash (hex), for the duplicate rules. */
export interface RecordedReceiptKey {
  id: string;
  time: number;
  request: string;
}

/** The effect of applying one tx or one block: record writes (null deletes) and newly recorded receipt ids. */
export interface StateDiff {
  readonly writes: ReadonlyMap<string, StateRecord | null>;
  readonly receipts: readonly RecordedReceiptKey[];
}

/**
 * Copy-on-write layer over a reader. Handlers write into an overlay; if the tx fails the overlay is dropped,
 * so a rejected tx changes nothing.
 */
export class StateOverlay implements StateReader {
  private readonly writes = new Map<string, StateRecord | null>();
  private readonly receipts: RecordedReceiptKey[] = [];
  private readonly receiptIds = new Set<string>();
  private readonly requests = new Set<string>();

  constructor(private readonly parent: StateReader) {}

  get<K extends RecordKind>(key: StateKey<K>): StateRecords[K] | undefined {
    if (this.writes.has(key)) return (this.writes.get(key) ?? undefined) as StateRecords[K] | undefined;
    return this.parent.get(key);
  }

  seenReceipt(id: string, time: number): boolean {
    return this.receiptIds.has(id) || this.parent.seenReceipt(id, time);
  }

  seenRequest(requestHash: string, time: number): boolean {
    return this.requests.has(requestHash) || this.parent.seenRequest(requestHash, time);
  }

  set<K extends RecordKind>(key: StateKey<K>, value: StateRecords[K]): void {
    this.writes.set(key, value);
  }

  delete(key: StateKey): void {
    this.writes.set(key, null);
  }

  addReceipt(r: RecordedReceiptKey): void {
    this.receiptIds.add(r.id);
    this.requests.add(r.request);
    this.receipts.push(r);
  }

  /** Folds a child's diff into this overlay. */
  absorb(diff: StateDiff): void {
    for (const [key, value] of diff.writes) this.writes.set(key, value);
    for (const r of diff.receipts) this.addReceipt(r);
  }

  diff(): StateDiff {
    return { writes: this.writes, receipts: this.receipts };
  }
}
