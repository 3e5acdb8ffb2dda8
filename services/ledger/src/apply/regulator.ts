import type { FreezeTarget } from "../model.js";
import { keys } from "../state/keys.js";
import type { StateReader } from "../state/view.js";
import type { TxPayloads } from "../tx/types.js";
import { requireAgency, requireDataset, requireGrant, requireRole, type TxContext } from "./context.js";
import { reject } from "./errors.js";
import { logFreezeEvent, writeFreeze } from "./freeze-log.js";

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

/**
 * Whether `agency` is in the regulator set now: it has the `regulator` role and, when a `regulators` record exists,
 * is one of its members. Without the record every agency with the role is a member (threshold 1).
 */
export function isRegulator(state: Pick<StateReader, "get">, agency: string): boolean {
  if (!state.get(keys.agency(agency))?.roles.includes("regulator")) return false;
  const set = state.get(keys.regulators);
  return set === undefined || set.members.includes(agency);
}

/** Distinct approvals an unfreeze needs: the set's threshold, 1 without a `regulators` record. */
export function unfreezeThreshold(state: Pick<StateReader, "get">): number {
  return state.get(keys.regulators)?.threshold ?? 1;
}

function requireRegulator(ctx: TxContext): void {
  requireRole(ctx, requireAgency(ctx, ctx.sender), "regulator");
  if (!isRegulator(ctx.state, ctx.sender)) {
    reject("NOT_AUTHORIZED", `${ctx.sender} is not in the regulator set`, { agency: ctx.sender });
  }
}

/** regulator.freeze: any one regulator set member stops an agency, dataset, grant or credit account at once. */
export function freeze(ctx: TxContext, p: TxPayloads["regulator.freeze"]): void {
  requireRegulator(ctx);
  requireTarget(ctx, p.target);
  if (ctx.state.get(keys.freeze(p.target.kind, p.target.id)) !== undefined) {
    reject("ALREADY_FROZEN", `${p.target.kind} ${p.target.id} is already frozen`, { ...p.target });
  }
  writeFreeze(ctx.state, {
    kind: p.target.kind,
    id: p.target.id,
    reason: p.reason,
    by: ctx.sender,
    height: ctx.block.height,
    time: ctx.block.time,
    rule: null,
    evidence: null,
    approvals: [],
  });
}

/**
 * regulator.unfreeze: a member's approval to lift a freeze. The freeze lifts once approvals of current members
 * reach the threshold; until then the approval is kept on the freeze record. Each member approves a freeze once.
 */
export function unfreeze(ctx: TxContext, p: TxPayloads["regulator.unfreeze"]): void {
  requireRegulator(ctx);
  const key = keys.freeze(p.target.kind, p.target.id);
  const current =
    ctx.state.get(key) ??
    reject("NOT_FROZEN", `${p.target.kind} ${p.target.id} is not frozen`, { ...p.target });
  if (current.approvals.includes(ctx.sender)) {
    reject("ALREADY_APPROVED", `${ctx.sender} already approved lifting this freeze`, {
      ...p.target,
      agency: ctx.sender,
    });
  }
  const approvals = [...current.approvals, ctx.sender].sort();
  // Approvals of agencies that left the set since they approved no longer count.
  const counted = approvals.filter((a) => isRegulator(ctx.state, a)).length;
  const lifted = counted >= unfreezeThreshold(ctx.state);
  if (lifted) ctx.state.delete(key);
  else ctx.state.set(key, { ...current, approvals });
  logFreezeEvent(ctx.state, p.target, lifted ? "unfreeze" : "approve", {
    by: ctx.sender,
    reason: p.reason,
    rule: current.rule,
    evidence: current.evidence,
    approvals,
    height: ctx.block.height,
    time: ctx.block.time,
  });
}
