import { MAX_BALANCE } from "../credits/math.js";
import { keys } from "../state/keys.js";
import { derivedId } from "../tx/sign.js";
import type { TxPayloads } from "../tx/types.js";
import {
  invalid,
  requireAccount,
  requireAgency,
  requireNotFrozen,
  requireRole,
  type TxContext,
} from "./context.js";
import { reject } from "./errors.js";

export { MAX_BALANCE };

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

/** credit.transfer: moves credits between two registered, unfrozen agencies' accounts inside the scheme. */
export function transferCredits(ctx: TxContext, p: TxPayloads["credit.transfer"]): void {
  if (p.to === ctx.sender) invalid("to", "cannot transfer to oneself");
  requireAgency(ctx, p.to);
  requireNotFrozen(ctx, "agency", p.to);
  requireNotFrozen(ctx, "account", p.to);
  debit(ctx, p.amount);
  const to = requireAccount(ctx, p.to);
  if (to.balance + p.amount > MAX_BALANCE) invalid("amount", "recipient balance would exceed 2^64-1");
  ctx.state.set(keys.account(p.to), { ...to, balance: to.balance + p.amount });
}

/**
 * credit.offer: a member or the regulator publishes an item of the redemption catalog, or its issuer updates it
 * (title, price, stock left). Units already redeemed stay counted.
 */
export function offerItem(ctx: TxContext, p: TxPayloads["credit.offer"]): void {
  const issuer = requireAgency(ctx, ctx.sender);
  if (!issuer.roles.includes("regulator")) requireRole(ctx, issuer, "member");
  if (p.price <= 0n) invalid("price", "must be positive");
  const existing = ctx.state.get(keys.offer(p.id));
  if (existing !== undefined && existing.issuer !== ctx.sender) {
    reject("NOT_AUTHORIZED", `offer ${p.id} belongs to ${existing.issuer}`, { offer: p.id });
  }
  ctx.state.set(keys.offer(p.id), {
    id: p.id,
    issuer: ctx.sender,
    title: p.title,
    description: p.description,
    price: p.price,
    stock: p.stock,
    redeemed: existing?.redeemed ?? 0,
    updatedAt: ctx.block.height,
  });
}

/**
 * credit.redeem: burns `price × quantity` credits against a catalog offer, takes the units from its stock and
 * writes a voucher (id derived from sender and seq) that the issuer checks against a certified app hash.
 */
export function redeemCredits(ctx: TxContext, p: TxPayloads["credit.redeem"]): void {
  if (p.quantity < 1) invalid("quantity", "must be at least 1");
  const offer =
    ctx.state.get(keys.offer(p.offer)) ?? reject("UNKNOWN_OFFER", `no offer ${p.offer}`, { offer: p.offer });
  if (offer.issuer === ctx.sender) invalid("offer", "an issuer does not redeem its own offer");
  requireNotFrozen(ctx, "agency", offer.issuer);
  if (p.quantity > offer.stock) {
    reject("OUT_OF_STOCK", `offer ${offer.id} has ${offer.stock} left`, {
      offer: offer.id,
      stock: offer.stock,
    });
  }
  const amount = offer.price * BigInt(p.quantity);
  if (amount > MAX_BALANCE) invalid("quantity", "the amount exceeds 2^64-1");
  debit(ctx, amount);
  const supply = ctx.state.get(keys.supply) ?? { minted: 0n, burned: 0n, escrow: 0n };
  ctx.state.set(keys.supply, { ...supply, burned: supply.burned + amount });
  ctx.state.set(keys.offer(offer.id), {
    ...offer,
    stock: offer.stock - p.quantity,
    redeemed: offer.redeemed + p.quantity,
  });
  const id = derivedId(ctx.block.hasher, "voucher", ctx.sender, ctx.seq);
  ctx.state.set(keys.voucher(id), {
    id,
    offer: offer.id,
    issuer: offer.issuer,
    holder: ctx.sender,
    quantity: p.quantity,
    amount,
    reference: p.reference,
    height: ctx.block.height,
    time: ctx.block.time,
  });
}
