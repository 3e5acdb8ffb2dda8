import type { BlockContext, TxContext } from "../apply/context.js";
import { reject } from "../apply/errors.js";
import type { AttestedReceipt, Params } from "../model.js";
import { keys } from "../state/keys.js";
import type { StateOverlay } from "../state/view.js";
import { addEarnings, creditAccount, insertSorted, readIndex, readSupply } from "./book.js";
import { splitFee } from "./math.js";
import type { PendingEntry } from "./model.js";
import { creditParams } from "./params.js";
import { NO_FACTS } from "./quality.js";

/** Receipts of one tx, as the credit rules see them. */
interface RecordedBatch {
  requester: string;
  receipts: readonly { dataset: string }[];
}

/** Receipts per (requester, dataset), in ascending order of both: the order fees are charged in. */
function countUse(batches: readonly RecordedBatch[]): [string, string, number][] {
  const counts = new Map<string, [string, string, number]>();
  for (const b of batches) {
    for (const r of b.receipts) {
      const k = `${b.requester}\u0000${r.dataset}`;
      const c = counts.get(k);
      if (c === undefined) counts.set(k, [b.requester, r.dataset, 1]);
      else c[2]++;
    }
  }
  return [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
}

/**
 * Charges the fees of receipts just recorded by `access.record` (`attested` false) or `access.attest`
 * (docs/spec/credits.md §4): the requester pays `price` per receipt, the burned part is burned at once, and the
 * provider's part is paid now (acknowledged receipts count at once) or held in escrow until the receipt's dispute
 * window closes (attested). Recording never depends on the requester's balance (else a requester could empty its
 * account to keep answers off the access log): receipts beyond what it can pay are recorded unpaid, and an unpaid
 * receipt pays and earns nothing.
 */
export function chargeRecorded(ctx: TxContext, batches: readonly RecordedBatch[], attested: boolean): void {
  const { feeBurnBps } = creditParams(ctx.params);
  const supply = { ...readSupply(ctx.state) };
  let index = readIndex(ctx.state);
  const bucketKey = keys.pending(ctx.block.height);
  const bucket = attested
    ? (ctx.state.get(bucketKey) ?? { recordedTime: ctx.block.time, entries: [] })
    : undefined;
  for (let [requester, datasetId, n] of countUse(batches)) {
    const dataset = ctx.state.get(keys.dataset(datasetId));
    if (dataset === undefined) continue;
    const { burn, share } = splitFee(dataset.price, feeBurnBps);
    const account = ctx.state.get(keys.account(requester));
    const balance = account?.balance ?? 0n;
    const payable = dataset.price === 0n ? BigInt(n) : balance / dataset.price;
    const paid = Number(payable < BigInt(n) ? payable : BigInt(n));
    if (paid < n) recordUnpaid(ctx.state, datasetId, n - paid);
    if (paid === 0 || account === undefined) continue;
    n = paid;
    const fee = dataset.price * BigInt(n);
    ctx.state.set(keys.account(requester), { ...account, balance: balance - fee });
    supply.burned += burn * BigInt(n);
    if (bucket === undefined) {
      creditAccount(ctx.state, supply, ctx.sender, share * BigInt(n));
      index = addEarnings(ctx.state, index, {
        provider: ctx.sender,
        consumer: requester,
        dataset: datasetId,
        receipts: n,
        fees: fee,
        burned: burn * BigInt(n),
      });
    } else {
      supply.escrow += share * BigInt(n);
      addPending(bucket.entries, {
        provider: ctx.sender,
        requester,
        dataset: datasetId,
        share,
        burn,
        receipts: n,
      });
    }
  }
  if (bucket !== undefined) {
    ctx.state.set(bucketKey, bucket);
    index = { ...index, pending: insertSorted(index.pending, ctx.block.height) };
  }
  ctx.state.set(keys.supply, supply);
  ctx.state.set(keys.settlement, index);
}

/** Receipts recorded without their fee (the requester could not pay): counted per dataset, paid and earned nothing. */
function recordUnpaid(state: StateOverlay, dataset: string, n: number): void {
  const facts = state.get(keys.quality(dataset)) ?? NO_FACTS;
  state.set(keys.quality(dataset), { ...facts, unpaid: facts.unpaid + n });
}

function sameEntry(a: PendingEntry, b: PendingEntry): boolean {
  return (
    a.provider === b.provider &&
    a.requester === b.requester &&
    a.dataset === b.dataset &&
    a.share === b.share &&
    a.burn === b.burn
  );
}

function addPending(entries: PendingEntry[], e: PendingEntry): void {
  const i = entries.findIndex((x) => sameEntry(x, e));
  const found = i === -1 ? undefined : entries[i];
  if (found === undefined) entries.push(e);
  else entries[i] = { ...found, receipts: found.receipts + e.receipts };
}

/**
 * The credit side of `access.dispute` for one attested receipt: its escrowed provider share is burned and the
 * dataset's dispute count rises. A receipt whose bucket was released (window closed at an end of block) has
 * counted already: DISPUTE_CLOSED, even if `receiptMaxAgeMs` was raised since.
 */
export function disputeRecorded(ctx: TxContext, record: AttestedReceipt, idHex: string): void {
  const key = keys.pending(record.recordedAt);
  const bucket = ctx.state.get(key);
  const i =
    bucket?.entries.findIndex(
      (e) =>
        e.provider === record.provider &&
        e.requester === record.requester &&
        e.dataset === record.dataset &&
        e.receipts > 0,
    ) ?? -1;
  const entry = i === -1 ? undefined : bucket?.entries[i];
  if (bucket === undefined || entry === undefined) {
    reject("DISPUTE_CLOSED", `receipt ${idHex} has already counted`, { receipt: idHex });
  }
  const entries = [...bucket.entries];
  if (entry.receipts === 1) entries.splice(i, 1);
  else entries[i] = { ...entry, receipts: entry.receipts - 1 };
  const supply = readSupply(ctx.state);
  ctx.state.set(keys.supply, {
    ...supply,
    escrow: supply.escrow - entry.share,
    burned: supply.burned + entry.share,
  });
  if (entries.length > 0) ctx.state.set(key, { ...bucket, entries });
  else {
    ctx.state.delete(key);
    const index = readIndex(ctx.state);
    ctx.state.set(keys.settlement, {
      ...index,
      pending: index.pending.filter((h) => h !== record.recordedAt),
    });
  }
  const facts = ctx.state.get(keys.quality(record.dataset)) ?? NO_FACTS;
  ctx.state.set(keys.quality(record.dataset), { ...facts, disputed: facts.disputed + 1 });
}

/**
 * End-of-block rule (docs/spec/credits.md §4.3): every pending bucket whose dispute window has closed at this
 * block's time counts now: escrow is paid to providers and the receipts join this epoch's earnings. Buckets are
 * visited oldest first and the visit stops at the first still open, so the work is the buckets closing now.
 */
export function releaseClosed(state: StateOverlay, block: BlockContext, params: Params): void {
  let index = state.get(keys.settlement);
  if (index === undefined || index.pending.length === 0) return;
  const supply = { ...readSupply(state) };
  let released = 0;
  for (const height of index.pending) {
    const key = keys.pending(height);
    const bucket = state.get(key);
    if (bucket !== undefined && block.time < bucket.recordedTime + params.receiptMaxAgeMs) break;
    released++;
    for (const e of bucket?.entries ?? []) {
      const n = BigInt(e.receipts);
      supply.escrow -= e.share * n;
      creditAccount(state, supply, e.provider, e.share * n);
      index = addEarnings(state, index, {
        provider: e.provider,
        consumer: e.requester,
        dataset: e.dataset,
        receipts: e.receipts,
        fees: (e.share + e.burn) * n,
        burned: e.burn * n,
      });
    }
    state.delete(key);
  }
  if (released === 0) return;
  state.set(keys.supply, supply);
  state.set(keys.settlement, { ...index, pending: index.pending.slice(released) });
}
