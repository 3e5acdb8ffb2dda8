import { keys } from "../state/keys.js";
import type { TxContext } from "./context.js";
import { reject } from "./errors.js";

/**
 * agency.register: an agency admitted by governance registers itself, signing with the admitted key (proof of
 * possession). Its account starts with sequence 1 (this tx used 0) and no credits.
 */
export function registerAgency(ctx: TxContext): void {
  const admission =
    ctx.state.get(keys.admission(ctx.sender)) ??
    reject("NOT_AUTHORIZED", `${ctx.sender} has not been admitted`, { agency: ctx.sender });
  ctx.state.set(keys.agency(admission.id), { ...admission, registeredAt: ctx.block.height });
  ctx.state.set(keys.account(admission.id), { seq: 0, balance: 0n });
  ctx.state.delete(keys.admission(admission.id));
}
