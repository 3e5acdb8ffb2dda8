import {
  type Agency,
  type FreezeKind,
  type FreezeTarget,
  isRegulator,
  keys,
  type QueryKind,
  unfreezeThreshold,
} from "@coken/ledger";
import { GatewayError } from "../../errors.js";
import type { MutationIssueGrantArgs, Resolvers } from "../../generated/graphql.js";
import { freezeHistory } from "../freeze-history.js";
import type { LedgerReader, OfficialContext } from "../models.js";
import { freezes } from "../state.js";

const MAX_REASON = 1024;

/** Who may act: in production an authenticated official; the agency must be able to sign at all. */
function submitterOf(ctx: OfficialContext) {
  if (ctx.actionsNeedOfficial && ctx.officialId === null)
    throw new GatewayError("UNAUTHENTICATED", "actions need an authenticated official");
  const submit = ctx.official.actions;
  if (submit === undefined) throw new GatewayError("FORBIDDEN", "this gateway does not sign transactions");
  return submit;
}

function text(value: string, name: string, max = MAX_REASON): string {
  const t = value.trim();
  if (t === "" || t.length > max)
    throw new GatewayError("BAD_USER_INPUT", `${name} must be 1 to ${max} characters`);
  return t;
}

function registered(ledger: LedgerReader, id: string, name: string): Agency {
  const a = ledger.get(keys.agency(id));
  if (a === undefined) throw new GatewayError("BAD_USER_INPUT", `${name} is not a registered agency`);
  return a;
}

/** The grant.issue payload, checked against the catalog so a doomed tx never reaches the mempool. */
function grantPayload(ctx: OfficialContext, input: MutationIssueGrantArgs["input"]) {
  const { self, ledger } = ctx.official;
  const d = ledger.get(keys.dataset(input.dataset));
  if (d === undefined || d.owner !== self)
    throw new GatewayError("FORBIDDEN", "grants are issued only on this agency's own datasets");
  if (input.grantee === self) throw new GatewayError("BAD_USER_INPUT", "an agency needs no grant of its own");
  registered(ledger, input.grantee, "grantee");
  const kinds = [...new Set(input.queryKinds as QueryKind[])];
  if (kinds.length === 0) throw new GatewayError("BAD_USER_INPUT", "name at least one query kind");
  const refused = kinds.filter((k) => !d.queryKinds.includes(k));
  if (refused.length > 0)
    throw new GatewayError("BAD_USER_INPUT", `the dataset does not allow ${refused.join(", ")}`);
  const fields = [...new Set(input.fields)];
  if (fields.length === 0)
    throw new GatewayError("BAD_USER_INPUT", "name at least one field the grantee may read");
  const unknown = fields.filter((f) => !d.fields.some((s) => s.name === f));
  if (unknown.length > 0)
    throw new GatewayError("BAD_USER_INPUT", `the dataset has no field ${unknown.join(", ")}`);
  if (!Number.isSafeInteger(input.quota) || input.quota < 1)
    throw new GatewayError("BAD_USER_INPUT", "quota must be a positive integer");
  const expiresAt = Date.parse(input.expiresAt);
  if (Number.isNaN(expiresAt)) throw new GatewayError("BAD_USER_INPUT", "expiresAt is not a valid instant");
  if (expiresAt <= ctx.now()) throw new GatewayError("BAD_USER_INPUT", "expiresAt must be in the future");
  return {
    dataset: d.id,
    grantee: input.grantee,
    queryKinds: kinds,
    fields,
    purpose: text(input.purpose, "purpose"),
    quota: input.quota,
    expiresAt,
  };
}

/** The regulator's target, checked: this agency is a regulator and the target exists. */
function freezeTarget(ctx: OfficialContext, target: { kind: string; id: string }): FreezeTarget {
  const { self, ledger } = ctx.official;
  registered(ledger, self, "this agency");
  if (!isRegulator(ledger, self))
    throw new GatewayError("FORBIDDEN", "only a member of the regulator set freezes and unfreezes");
  const kind = target.kind as FreezeKind;
  const exists =
    kind === "agency"
      ? ledger.get(keys.agency(target.id))
      : kind === "dataset"
        ? ledger.get(keys.dataset(target.id))
        : kind === "grant"
          ? ledger.get(keys.grant(target.id))
          : ledger.get(keys.account(target.id));
  if (exists === undefined) throw new GatewayError("BAD_USER_INPUT", `no ${kind} ${target.id} on the ledger`);
  return { kind, id: target.id };
}

/** Officials' actions: each builds one ledger transaction, signed with this agency's key, and submits it. */
export const actionResolvers: Resolvers = {
  Query: {
    freezes: (_, { kind }, { official }) =>
      freezes(official.ledger).filter((f) => kind == null || f.kind === kind),
    freezeHistory: (_, { kind, target, first, after }, { official }) =>
      freezeHistory(official.ledger, kind, target, first, after),
  },
  Mutation: {
    issueGrant: (_, { input }, ctx) => {
      const submit = submitterOf(ctx);
      return { txId: submit("grant.issue", grantPayload(ctx, input)), kind: "grant.issue" };
    },
    revokeGrant: (_, { grant, reason }, ctx) => {
      const submit = submitterOf(ctx);
      const g = ctx.official.ledger.get(keys.grant(grant));
      if (g === undefined || g.grantor !== ctx.official.self)
        throw new GatewayError("FORBIDDEN", "only the agency that issued a grant revokes it");
      if (g.revoked !== null) throw new GatewayError("BAD_USER_INPUT", "the grant is already revoked");
      const payload = { grant, reason: text(reason, "reason") };
      return { txId: submit("grant.revoke", payload), kind: "grant.revoke" };
    },
    freeze: (_, { target, reason }, ctx) => {
      const submit = submitterOf(ctx);
      const t = freezeTarget(ctx, target);
      if (ctx.official.ledger.get(keys.freeze(t.kind, t.id)) !== undefined)
        throw new GatewayError("BAD_USER_INPUT", "already frozen");
      return {
        txId: submit("regulator.freeze", { target: t, reason: text(reason, "reason") }),
        kind: "regulator.freeze",
      };
    },
    unfreeze: (_, { target, reason }, ctx) => {
      const submit = submitterOf(ctx);
      const t = freezeTarget(ctx, target);
      const current = ctx.official.ledger.get(keys.freeze(t.kind, t.id));
      if (current === undefined) throw new GatewayError("BAD_USER_INPUT", "not frozen");
      if (current.approvals.includes(ctx.official.self))
        throw new GatewayError("BAD_USER_INPUT", "this agency already approved lifting it");
      return {
        txId: submit("regulator.unfreeze", { target: t, reason: text(reason, "reason") }),
        kind: "regulator.unfreeze",
      };
    },
  },
  Freeze: {
    targetId: (f) => f.id,
    approvalsNeeded: (_f, _, { official }) => unfreezeThreshold(official.ledger),
  },
  FreezeEvent: {
    targetId: (e) => e.id,
  },
};
