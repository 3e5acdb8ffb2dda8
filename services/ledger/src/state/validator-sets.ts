import type { Validator } from "../model.js";
import { keys } from "./keys.js";
import type { StateOverlay, StateReader } from "./view.js";

/**
 * Blocks between the block that executes a `validators.set` and the first height its set decides: the set of
 * height h + 1 is fixed before block h is (docs/spec/ledger.md §13.5).
 */
export const ACTIVATION_DELAY = 2;

/** The set in force for the block executing on `state` (the `validators` record). */
export function validatorsInForce(state: StateReader): Validator[] {
  return state.get(keys.validators)?.validators ?? [];
}

/** Schedules `validators` (sorted ascending by agency) to decide height `height + 2`, `height` being the block's. */
export function scheduleValidators(
  state: StateOverlay,
  height: number,
  validators: readonly Validator[],
): void {
  const sorted = [...validators].sort((a, b) => (a.agency < b.agency ? -1 : 1));
  state.set(keys.nextvalidators(height + ACTIVATION_DELAY), { validators: sorted });
}

/**
 * The last end-of-block rule of block `height`: the set scheduled for `height + 1` (by block `height − 1`) becomes
 * the `validators` record and its schedule record is deleted. A set scheduled by this block stays scheduled.
 */
export function activateValidators(state: StateOverlay, height: number): void {
  const key = keys.nextvalidators(height + 1);
  const next = state.get(key);
  if (next === undefined) return;
  state.set(keys.validators, next);
  state.delete(key);
}

/**
 * Every set that decides a height from the block `height` executing on `state` on: the set in force, then the ones
 * scheduled for `height + 1` (by the block before) and `height + 2` (by this block so far), those that exist.
 */
export function validatorSetsFrom(
  state: StateReader,
  height: number,
): { from: number; validators: Validator[] }[] {
  const out = [{ from: height, validators: validatorsInForce(state) }];
  for (let n = height + 1; n <= height + ACTIVATION_DELAY; n++) {
    const scheduled = state.get(keys.nextvalidators(n));
    if (scheduled !== undefined) out.push({ from: n, validators: scheduled.validators });
  }
  return out;
}

/**
 * The validator set of `height` from the committed state after block `after` alone: `validators` for `after + 1`,
 * and for `after + 2` the set scheduled for it, else `validators` again. Throws RangeError for any other height,
 * which that state cannot name.
 */
export function validatorSetAt(state: StateReader, after: number, height: number): Validator[] {
  if (height === after + 1) return validatorsInForce(state);
  if (height === after + ACTIVATION_DELAY) {
    return state.get(keys.nextvalidators(height))?.validators ?? validatorsInForce(state);
  }
  throw new RangeError(
    `the state after block ${after} names the validator sets of ${after + 1} and ${after + 2}`,
  );
}
