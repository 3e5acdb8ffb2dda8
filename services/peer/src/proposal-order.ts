import type { TxKind } from "@coken/ledger";

/** What ordering needs of a pending tx. */
export interface Orderable {
  raw: Uint8Array;
  sender: string;
  kind: TxKind;
}

/** One try of a pending tx in a proposal. */
export interface CandidateTry<T> {
  tx: T;
  /**
   * True for the try at the tx's arrival position, where everything it was admitted against comes before it;
   * false for a try moved ahead of that.
   */
  atArrival: boolean;
}

// Regulator and governance actions go first: a freeze should not wait behind a queue of receipts.
const PRIORITY: Partial<Record<TxKind, number>> = {
  "regulator.freeze": 2,
  "regulator.unfreeze": 2,
  "governance.propose": 1,
  "governance.vote": 1,
};

/** The priority class of a tx kind: higher goes first. */
export function priorityOf(kind: TxKind): number {
  return PRIORITY[kind] ?? 0;
}

/**
 * The order a proposal tries pending txs in (`pending` in arrival order). First each priority tx, highest class
 * first, preceded by its sender's earlier txs (so sequence numbers stay in order); then every tx at its arrival
 * position. A tx tried up front that depends on something queued before it is refused there and applies at its
 * arrival position; one that applied up front is refused at its second try for its spent sequence number, which
 * is checked before anything costly. Distinct txs stay within `maxTxs` and `maxBytes`: the walk stops at the first
 * that does not fit. Linear in the number of pending txs.
 */
export function proposalOrder<T extends Orderable>(
  pending: readonly T[],
  maxBytes: number,
  maxTxs: number,
): CandidateTry<T>[] {
  const urgent = pending.filter((t) => priorityOf(t.kind) > 0);
  const out: CandidateTry<T>[] = [];
  const chosen = new Set<T>();
  let bytes = 0;
  const take = (tx: T, atArrival: boolean): boolean => {
    if (chosen.has(tx)) {
      if (atArrival) out.push({ tx, atArrival });
      return true;
    }
    if (chosen.size >= maxTxs || bytes + tx.raw.length > maxBytes) return false;
    chosen.add(tx);
    bytes += tx.raw.length;
    out.push({ tx, atArrival });
    return true;
  };
  if (urgent.length > 0) {
    // Stable: equal classes keep arrival order.
    urgent.sort((a, b) => priorityOf(b.kind) - priorityOf(a.kind));
    const senders = new Set(urgent.map((t) => t.sender));
    const queues = new Map<string, T[]>();
    for (const t of pending) {
      if (!senders.has(t.sender)) continue;
      const queue = queues.get(t.sender);
      if (queue === undefined) queues.set(t.sender, [t]);
      else queue.push(t);
    }
    const next = new Map<string, number>();
    let room = true;
    for (const p of urgent) {
      const queue = queues.get(p.sender) as T[];
      let i = next.get(p.sender) ?? 0;
      for (; room && i < queue.length && !chosen.has(p); i++) room = take(queue[i] as T, false);
      if (!room) break;
      next.set(p.sender, i);
    }
  }
  // A tx past the first one that does not fit lacks part of what it was admitted against: no try at arrival.
  for (const t of pending) if (!take(t, true)) break;
  return out;
}
