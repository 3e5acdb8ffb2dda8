import { keys } from "../state/keys.js";
import type { TxPayloads } from "../tx/types.js";
import { invalid, requireAccount, requireAgency, requireNotFrozen, type TxContext } from "./context.js";
import { reject } from "./errors.js";

/** Balances are unsigned 64-bit integers. */
export const MAX_BALANCE = (1n << 64n) - 1n;

function debit(ctx: TxContext, amount: bigint): void {
  if (amount <= 0n) invalid("amount", "must be positive");
  requireNotFrozen(ctx, "account", ctx.sender);
  const account = requireAccount(ctx, ctx.sender);
  if (account.balance < amount) {
    reject("INSUFFICIENT_BALANCE", `balance ${account.balance} < ${amount}`, {
      balance: account.balance.toString(),
      amount: amount.toString(),
    });
  }
  ctx.state.set(keys.account(ctx.sender), { ...account, balance: account.balance - amount });
}

/** credit.transfer: moves credits between two agencies' accounts inside the scheme. */
export function transferCredits(ctx: TxContext, p: TxPayloads["credit.transfer"]): void {
  if (p.to === ctx.sender) invalid("to", "cannot transfer to oneself");
  requireAgency(ctx, p.to);
  requireNotFrozen(ctx, "account", p.to);
  debit(ctx, p.amount);
  const to = requireAccount(ctx, p.to);
  if (to.balance + p.amount > MAX_BALANCE) invalid("amount", "recipient balance would exceed 2^64-1");
  ctx.state.set(keys.account(p.to), { ...to, balance: to.balance + p.amount });
}

/** credit.redeem: burns credits against a public service; the service and reference stay in the log. */
export function redeemCredits(ctx: TxContext, p: TxPayloads["credit.redeem"]): void {
  debit(ctx, p.amount);
}
