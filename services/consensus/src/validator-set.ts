import type { AgencyId } from "@coken/ledger";
import { type ProposerSchedule, proposerSchedule } from "./proposer.js";
import type { ValidatorInfo } from "./types.js";

/** A validator set prepared for one height: lookup by agency, total power and proposer schedule. */
export interface ValidatorSet {
  readonly list: readonly ValidatorInfo[];
  readonly byAgency: ReadonlyMap<AgencyId, ValidatorInfo>;
  readonly totalPower: number;
  readonly schedule: ProposerSchedule;
}

/** Prepares a validator set; throws RangeError when it is empty, repeats an agency or has a non-positive power. */
export function createValidatorSet(list: readonly ValidatorInfo[]): ValidatorSet {
  const schedule = proposerSchedule(list);
  const byAgency = new Map(list.map((v) => [v.agency, v]));
  let totalPower = 0;
  for (const v of list) totalPower += v.power;
  return { list, byAgency, totalPower, schedule };
}

/** More than 2/3 of the total power: the paper's 2f+1. */
export function isQuorum(power: number, total: number): boolean {
  return power * 3 > total * 2;
}

/** More than 1/3 of the total power: the paper's f+1 (at least one correct process). */
export function isOneThird(power: number, total: number): boolean {
  return power * 3 > total;
}
