import type { FreezeKind } from "../model.js";
import type { RecordKind, StateRecords } from "./records.js";

/** A state key carries the type of the record stored under it. Keys are ASCII: "<kind>/<id>" or "<kind>". */
export type StateKey<K extends RecordKind = RecordKind> = string & { readonly __record: K };

const k = <K extends RecordKind>(key: string) => key as StateKey<K>;

export const keys = {
  agency: (id: string) => k<"agency">(`agency/${id}`),
  account: (id: string) => k<"account">(`account/${id}`),
  admission: (id: string) => k<"admission">(`admission/${id}`),
  dataset: (id: string) => k<"dataset">(`dataset/${id}`),
  grant: (id: string) => k<"grant">(`grant/${id}`),
  freeze: (kind: FreezeKind, id: string) => k<"freeze">(`freeze/${kind}/${id}`),
  /** How many events a target's freeze history holds. */
  freezelog: (kind: FreezeKind, id: string) => k<"freezelog">(`freezelog/${kind}/${id}`),
  /** Event `n` (from 0) of a target's freeze history. */
  freezeevent: (kind: FreezeKind, id: string, n: number) =>
    k<"freezeevent">(`freezeevent/${kind}/${id}/${n}`),
  regulators: k<"regulators">("regulators"),
  freezerules: k<"freezerules">("freezerules"),
  /** Receipts refused over a grant's quota, counted while the quota-overrun rule is on. */
  overquota: (grant: string) => k<"overquota">(`overquota/${grant}`),
  proposal: (id: string) => k<"proposal">(`proposal/${id}`),
  params: k<"params">("params"),
  /** The validator set in force for the next block (the set of height h in the state after block h − 1). */
  validators: k<"validators">("validators"),
  /** The set a `validators.set` scheduled to take effect at `height` (docs/spec/ledger.md §13.5). */
  nextvalidators: (height: number) => k<"nextvalidators">(`nextvalidators/${height}`),
  receipts: k<"receipts">("receipts"),
  epoch: k<"epoch">("epoch"),
  evidence: (validator: string, height: number, round: number, type: string) =>
    k<"evidence">(`evidence/${validator}/${height}/${round}/${type}`),
  /** An attested receipt, by its id in lowercase hex. */
  attested: (receiptId: string) => k<"attested">(`attested/${receiptId}`),
  // Credit records (docs/spec/credits.md §3).
  supply: k<"supply">("supply"),
  settlement: k<"settlement">("settlement"),
  earnings: (provider: string) => k<"earnings">(`earnings/${provider}`),
  pending: (height: number) => k<"pending">(`pending/${height}`),
  quality: (dataset: string) => k<"quality">(`quality/${dataset}`),
  /** A declared relation; the two ids in ascending order. */
  relation: (a: string, b: string) => k<"relation">(a < b ? `relation/${a}/${b}` : `relation/${b}/${a}`),
  offer: (id: string) => k<"offer">(`offer/${id}`),
  voucher: (id: string) => k<"voucher">(`voucher/${id}`),
  standing: (epoch: number) => k<"standing">(`standing/${epoch}`),
};

/** The record kind a key holds, from its prefix; undefined for a key outside the layout. */
export function recordKindOf(key: string): RecordKind | undefined {
  const slash = key.indexOf("/");
  const prefix = slash === -1 ? key : key.slice(0, slash);
  return Object.hasOwn(PREFIXES, prefix) ? (prefix as RecordKind) : undefined;
}

const PREFIXES: Record<RecordKind, true> = {
  agency: true,
  account: true,
  admission: true,
  dataset: true,
  grant: true,
  freeze: true,
  freezelog: true,
  freezeevent: true,
  regulators: true,
  freezerules: true,
  overquota: true,
  proposal: true,
  params: true,
  validators: true,
  nextvalidators: true,
  receipts: true,
  epoch: true,
  evidence: true,
  attested: true,
  supply: true,
  settlement: true,
  earnings: true,
  pending: true,
  quality: true,
  relation: true,
  offer: true,
  voucher: true,
  standing: true,
};

export type RecordOf<K> = K extends StateKey<infer R> ? StateRecords[R] : never;
