import type { FreezeTarget } from "../model.js";
import { keys } from "../state/keys.js";
import type { TxPayloads } from "../tx/types.js";
import { requireAgency, requireDataset, requireGrant, requireRole, type TxContext } from "./context.js";
import { reject } from "./errors.js";

function requireTarget(ctx: TxContext, target: FreezeTarget): void {
  switch (target.kind) {
    case "agency":
    case "account":
      requireAgency(ctx, target.id);
      return;
    case "dataset":
      requireDataset(ctx, target.id);
      return;
    case "grant":
      requireGrant(ctx, target.id);
      return;
  }
}

/** regulator.freeze: a regulator stops an agency, dataset, grant or credit account until unfrozen. */
export function freeze(ctx: TxContext, p: TxPayloads["regulator.freeze"]): void {
  requireRole(ctx, requireAgency(ctx, ctx.sender), "regulator");
  requireTarget(ctx, p.target);
  const key = keys.freeze(p.target.kind, p.target.id);
  if (ctx.state.get(key) !== undefined) {
    reject("ALREADY_FROZEN", `${p.target.kind} ${p.target.id} is already frozen`, { ...p.target });
  }
  ctx.state.set(key, {
    ...p.target,
    reason: p.reason,
    by: ctx.sender,
    height: ctx.block.height,
    time: ctx.block.time,
  });
}

/** regulator.unfreeze: lifts a freeze; the freeze and its lifting both stay in the log. */
export function unfreeze(ctx: TxContext, p: TxPayloads["regulator.unfreeze"]): void {
  requireRole(ctx, requireAgency(ctx, ctx.sender), "regulator");
  const key = keys.freeze(p.target.kind, p.target.id);
  if (ctx.state.get(key) === undefined) {
    reject("NOT_FROZEN", `${p.target.kind} ${p.target.id} is not frozen`, { ...p.target });
  }
  ctx.state.delete(key);
}
