import { keys } from "../state/keys.js";
import type { StateOverlay } from "../state/view.js";
import { MAX_BALANCE } from "./math.js";
import type { CreditSupply, Earnings, SettlementIndex } from "./model.js";

/** Credit bookkeeping shared by the tx hooks, the end-of-block rule and settlement. */

export const ZERO_SUPPLY: CreditSupply = { minted: 0n, burned: 0n, escrow: 0n };
export const EMPTY_INDEX: SettlementIndex = { providers: [], pending: [] };
const NO_EARNINGS: Earnings = { consumers: [], datasets: [] };

export function readSupply(state: StateOverlay): CreditSupply {
  return state.get(keys.supply) ?? ZERO_SUPPLY;
}

export function readIndex(state: StateOverlay): SettlementIndex {
  return state.get(keys.settlement) ?? EMPTY_INDEX;
}

/** Inserts `value` into an ascending list of distinct values, keeping it so. */
export function insertSorted<T extends string | number>(list: readonly T[], value: T): T[] {
  let i = 0;
  while (i < list.length && (list[i] as T) < value) i++;
  if (list[i] === value) return [...list];
  return [...list.slice(0, i), value, ...list.slice(i)];
}

/**
 * Credits `amount` to an agency's account. The part that would take the balance above 2^64−1 is burned instead
 * (so no balance leaves the u64 range and supply stays exact); returns the part credited.
 */
export function creditAccount(
  state: StateOverlay,
  supply: CreditSupply,
  agency: string,
  amount: bigint,
): bigint {
  const account = state.get(keys.account(agency));
  if (account === undefined) {
    supply.burned += amount;
    return 0n;
  }
  const room = MAX_BALANCE - account.balance;
  const paid = amount < room ? amount : room;
  supply.burned += amount - paid;
  if (paid > 0n) state.set(keys.account(agency), { ...account, balance: account.balance + paid });
  return paid;
}

/** Counted use of `provider`'s data by `consumer` this epoch: adds to its earnings record and the index. */
export function addEarnings(
  state: StateOverlay,
  index: SettlementIndex,
  use: {
    provider: string;
    consumer: string;
    dataset: string;
    receipts: number;
    fees: bigint;
    burned: bigint;
  },
): SettlementIndex {
  const key = keys.earnings(use.provider);
  const e = state.get(key) ?? NO_EARNINGS;
  const consumers = [...e.consumers];
  const ci = consumers.findIndex((c) => c.agency >= use.consumer);
  const c = ci === -1 ? undefined : consumers[ci];
  if (c !== undefined && c.agency === use.consumer) {
    consumers[ci] = {
      agency: c.agency,
      receipts: c.receipts + use.receipts,
      fees: c.fees + use.fees,
      burned: c.burned + use.burned,
    };
  } else {
    const entry = { agency: use.consumer, receipts: use.receipts, fees: use.fees, burned: use.burned };
    consumers.splice(ci === -1 ? consumers.length : ci, 0, entry);
  }
  const datasets = [...e.datasets];
  const di = datasets.findIndex((d) => d.dataset >= use.dataset);
  const d = di === -1 ? undefined : datasets[di];
  if (d !== undefined && d.dataset === use.dataset) {
    datasets[di] = { dataset: d.dataset, receipts: d.receipts + use.receipts };
  } else {
    datasets.splice(di === -1 ? datasets.length : di, 0, { dataset: use.dataset, receipts: use.receipts });
  }
  state.set(key, { consumers, datasets });
  return { ...index, providers: insertSorted(index.providers, use.provider) };
}
