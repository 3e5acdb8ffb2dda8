import { keys } from "../state/keys.js";
import { derivedId } from "../tx/sign.js";
import type { TxPayloads } from "../tx/types.js";
import {
  invalid,
  requireAgency,
  requireDataset,
  requireGrant,
  requireNotFrozen,
  requireOwner,
  requireRole,
  type TxContext,
} from "./context.js";
import { reject } from "./errors.js";

/** grant.issue: the dataset owner lets one other agency ask given query kinds over given fields. */
export function issueGrant(ctx: TxContext, p: TxPayloads["grant.issue"]): void {
  const dataset = requireDataset(ctx, p.dataset);
  requireOwner(ctx, dataset);
  requireNotFrozen(ctx, "dataset", dataset.id);
  const grantee = requireAgency(ctx, p.grantee);
  if (grantee.id === ctx.sender) invalid("grantee", "an owner does not grant itself");
  requireRole(ctx, grantee, "member");
  requireNotFrozen(ctx, "agency", grantee.id);
  for (const k of p.queryKinds) {
    if (!dataset.queryKinds.includes(k)) invalid("queryKinds", `${k} is not allowed on ${dataset.id}`);
  }
  const fieldNames = new Set(dataset.fields.map((f) => f.name));
  for (const f of p.fields) if (!fieldNames.has(f)) invalid("fields", `no field ${f} in ${dataset.id}`);
  if (p.quota < 1) invalid("quota", "must be at least 1");
  if (p.expiresAt <= ctx.block.time) invalid("expiresAt", "must be after the block time");
  const id = derivedId(ctx.block.hasher, "grant", ctx.sender, ctx.seq);
  if (ctx.state.get(keys.grant(id)) !== undefined)
    reject("ALREADY_EXISTS", `grant ${id} exists`, { grant: id });
  ctx.state.set(keys.grant(id), {
    id,
    dataset: dataset.id,
    grantor: ctx.sender,
    grantee: grantee.id,
    queryKinds: p.queryKinds,
    fields: p.fields,
    purpose: p.purpose,
    quota: p.quota,
    used: 0,
    expiresAt: p.expiresAt,
    issuedAt: ctx.block.height,
    revoked: null,
  });
}

/** grant.revoke: the grantor ends a grant; receipts for requests made before the block time still count. */
export function revokeGrant(ctx: TxContext, p: TxPayloads["grant.revoke"]): void {
  const grant = requireGrant(ctx, p.grant);
  if (grant.grantor !== ctx.sender) {
    reject("NOT_AUTHORIZED", `only the grantor ${grant.grantor} may revoke`, { grant: grant.id });
  }
  if (grant.revoked !== null)
    reject("GRANT_INACTIVE", `grant ${grant.id} is already revoked`, { grant: grant.id });
  ctx.state.set(keys.grant(grant.id), {
    ...grant,
    revoked: { height: ctx.block.height, time: ctx.block.time, reason: p.reason },
  });
}
