import { bytesEqual } from "@coken/ledger";
import type { SignedRecord, Step } from "./types.js";

/**
 * The double-sign guard (CometBFT's privval last-sign state, kept per step): this node signs at most one message
 * per (height, round, step) and never goes back to an earlier (height, round, step). Signing the very same bytes
 * again is allowed, so replaying a node's inputs after a restart re-creates its messages.
 */
export interface SignGuard {
  /** What was signed at the latest height signed, by `round/step`. */
  readonly signed: ReadonlyMap<string, Uint8Array>;
  readonly last: { height: number; round: number; step: Step } | null;
}

/** A guard that has signed nothing. */
export const EMPTY_GUARD: SignGuard = { signed: new Map(), last: null };

const STEP_ORDER: Record<Step, number> = { propose: 0, prevote: 1, precommit: 2 };

function compareHrs(a: { height: number; round: number; step: Step }, b: typeof a): number {
  return a.height - b.height || a.round - b.round || STEP_ORDER[a.step] - STEP_ORDER[b.step];
}

/** Whether signing `signBytes` at (height, round, step) keeps the node honest. */
export function maySign(guard: SignGuard, record: SignedRecord): boolean {
  const last = guard.last;
  if (last === null) return true;
  if (record.height < last.height) return false;
  if (record.height === last.height) {
    const earlier = guard.signed.get(`${record.round}/${record.step}`);
    if (earlier !== undefined) return bytesEqual(earlier, record.signBytes);
    if (compareHrs(record, last) < 0) return false;
  }
  return true;
}

/** Records a signature the guard allowed; keeps only the latest height's entries. */
export function recordSigned(guard: SignGuard, record: SignedRecord): SignGuard {
  const sameHeight = guard.last !== null && guard.last.height === record.height;
  const signed = new Map(sameHeight ? guard.signed : []);
  signed.set(`${record.round}/${record.step}`, record.signBytes);
  const hrs = { height: record.height, round: record.round, step: record.step };
  const last = guard.last === null || compareHrs(hrs, guard.last) > 0 ? hrs : guard.last;
  return { signed, last };
}

/** Rebuilds the guard from the records the driver persisted (all of them, or those of the latest height). */
export function guardFromRecords(records: readonly SignedRecord[]): SignGuard {
  const sorted = [...records].sort((a, b) => compareHrs(a, b));
  let guard = EMPTY_GUARD;
  for (const r of sorted) guard = recordSigned(guard, r);
  return guard;
}
