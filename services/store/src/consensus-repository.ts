import { consensusSignState, consensusWal } from "@coken/db-schema";
import { asc, eq, lt } from "drizzle-orm";
import { bytesEqual } from "./bytea.js";
import { type Db, guard, inTransaction, Lock, lockForTransaction } from "./db.js";
import { StoreError } from "./errors.js";
import type { ConsensusRepository } from "./repositories.js";
import type { SignState, WalEntry, WalRecord } from "./types.js";
import { requireBytes, requireInt4, requireInt8, requireText } from "./validate.js";

function compareHrs(a: SignState, b: SignState): number {
  return a.height - b.height || a.round - b.round || a.step - b.step;
}

/** Why moving from `last` to `next` would risk a double sign, or null when it is safe. */
function regression(last: SignState, next: SignState): string | null {
  const order = compareHrs(next, last);
  if (order < 0) return "height/round/step would move backwards";
  if (order === 0 && last.signBytes !== null) {
    if (next.signBytes === null || !bytesEqual(next.signBytes, last.signBytes)) {
      return "different sign bytes at an already signed height/round/step";
    }
  }
  return null;
}

export class DrizzleConsensusRepository implements ConsensusRepository {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  async appendWal(record: WalRecord): Promise<number> {
    const [seq] = await this.appendWalBatch([record]);
    if (seq === undefined) throw new StoreError("DATABASE", "appendWal failed: no sequence number returned");
    return seq;
  }

  async appendWalBatch(records: readonly WalRecord[]): Promise<number[]> {
    if (records.length === 0) return [];
    for (const record of records) {
      requireInt8("height", record.height);
      requireInt4("round", record.round);
      requireText("kind", record.kind);
      requireBytes("payload", record.payload);
    }
    const values = records.map(({ height, round, kind, payload }) => ({ height, round, kind, payload }));
    // One statement is one transaction (and one flush): all the records are durable, or none is.
    const rows = await guard("appendWal", () =>
      this.#db.insert(consensusWal).values(values).returning({ seq: consensusWal.seq }),
    );
    if (rows.length !== records.length)
      throw new StoreError("DATABASE", "appendWal failed: missing sequence numbers");
    // Sequence numbers come from one serial in one statement: sorted, they follow the records' order.
    return rows.map((r) => r.seq).sort((a, b) => a - b);
  }

  async readWal(height: number): Promise<WalEntry[]> {
    requireInt8("height", height);
    return guard("readWal", () =>
      this.#db
        .select()
        .from(consensusWal)
        .where(eq(consensusWal.height, height))
        .orderBy(asc(consensusWal.seq)),
    );
  }

  async pruneWalBelow(height: number): Promise<number> {
    requireInt8("height", height);
    const deleted = await guard("pruneWalBelow", () =>
      this.#db
        .delete(consensusWal)
        .where(lt(consensusWal.height, height))
        .returning({ seq: consensusWal.seq }),
    );
    return deleted.length;
  }

  async getSignState(): Promise<SignState | null> {
    const [row] = await guard("getSignState", () => this.#readSignState(this.#db));
    return row ?? null;
  }

  async setSignState(state: SignState): Promise<void> {
    requireInt8("height", state.height);
    requireInt4("round", state.round);
    requireInt4("step", state.step);
    if (state.signBytes !== null) requireBytes("signBytes", state.signBytes);
    const { height, round, step, signBytes } = state;
    await inTransaction(this.#db, "setSignState", async (tx) => {
      await lockForTransaction(tx, Lock.signState);
      const [last] = await this.#readSignState(tx);
      const reason = last === undefined ? null : regression(last, state);
      if (last !== undefined && reason !== null) {
        throw new StoreError("SIGN_REGRESSION", `refusing to record sign state: ${reason}`, {
          height,
          round,
          step,
          lastHeight: last.height,
          lastRound: last.round,
          lastStep: last.step,
        });
      }
      await tx
        .insert(consensusSignState)
        .values({ id: 1, height, round, step, signBytes })
        .onConflictDoUpdate({ target: consensusSignState.id, set: { height, round, step, signBytes } });
    });
  }

  #readSignState(db: Db): Promise<SignState[]> {
    const s = consensusSignState;
    return db
      .select({ height: s.height, round: s.round, step: s.step, signBytes: s.signBytes })
      .from(s)
      .where(eq(s.id, 1));
  }
}
