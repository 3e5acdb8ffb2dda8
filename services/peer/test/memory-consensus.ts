import {
  type ConsensusRepository,
  type SignState,
  type Store,
  StoreError,
  type WalEntry,
  type WalRecord,
} from "@coken/store";

/**
 * The consensus part of a store (WAL and sign state) kept in memory, with the store's rules: entries in append
 * order per height, and a sign state that never moves backwards nor changes bytes already signed. For nodes a test
 * never restarts, whose consensus writes need not survive them: a PGlite write costs milliseconds.
 */
export class MemoryConsensus implements ConsensusRepository {
  private wal: WalEntry[] = [];
  private seq = 0;
  private signState: SignState | null = null;

  async appendWal(record: WalRecord): Promise<number> {
    return this.add(record);
  }

  async appendWalBatch(records: readonly WalRecord[]): Promise<number[]> {
    return records.map((r) => this.add(r));
  }

  async readWal(height: number): Promise<WalEntry[]> {
    return this.wal.filter((e) => e.height === height);
  }

  async pruneWalBelow(height: number): Promise<number> {
    const before = this.wal.length;
    this.wal = this.wal.filter((e) => e.height >= height);
    return before - this.wal.length;
  }

  async getSignState(): Promise<SignState | null> {
    return this.signState;
  }

  async setSignState(next: SignState): Promise<void> {
    const last = this.signState;
    if (last !== null) {
      const order = next.height - last.height || next.round - last.round || next.step - last.step;
      const rebytes =
        order === 0 &&
        last.signBytes !== null &&
        (next.signBytes === null || Buffer.compare(next.signBytes, last.signBytes) !== 0);
      if (order < 0 || rebytes)
        throw new StoreError("SIGN_REGRESSION", "refusing to record sign state", {
          height: next.height,
          round: next.round,
          step: next.step,
        });
    }
    this.signState = { ...next };
  }

  private add(record: WalRecord): number {
    this.seq++;
    this.wal.push({ ...record, seq: this.seq });
    return this.seq;
  }
}

/** `store` with its WAL and sign state in memory instead (its ledger stays where it is). */
export function withMemoryConsensus(store: Store): Store {
  return {
    kind: store.kind,
    ledger: store.ledger,
    consensus: new MemoryConsensus(),
    localData: store.localData,
    close: () => store.close(),
  };
}
