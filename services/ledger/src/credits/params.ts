import type { Params } from "../model.js";
import type { CreditParams } from "./model.js";

/** Credit parameters when the params record leaves them out (docs/spec/credits.md §9). */
export const DEFAULT_CREDIT_PARAMS: CreditParams = {
  mintPerEpoch: 1_000_000,
  feeBurnBps: 2_000,
  pairCap: 10_000,
  rewardCapBps: 5_000,
};

/** Bounds checked by genesis and `params.set`. */
export const CREDIT_PARAM_BOUNDS: Record<keyof CreditParams, { min: number; max: number }> = {
  mintPerEpoch: { min: 0, max: Number.MAX_SAFE_INTEGER },
  feeBurnBps: { min: 0, max: 10_000 },
  pairCap: { min: 1, max: Number.MAX_SAFE_INTEGER },
  rewardCapBps: { min: 0, max: 10_000 },
};

/** The credit parameters in force, defaults filled in. */
export function creditParams(p: Params): CreditParams {
  return {
    mintPerEpoch: p.mintPerEpoch ?? DEFAULT_CREDIT_PARAMS.mintPerEpoch,
    feeBurnBps: p.feeBurnBps ?? DEFAULT_CREDIT_PARAMS.feeBurnBps,
    pairCap: p.pairCap ?? DEFAULT_CREDIT_PARAMS.pairCap,
    rewardCapBps: p.rewardCapBps ?? DEFAULT_CREDIT_PARAMS.rewardCapBps,
  };
}
