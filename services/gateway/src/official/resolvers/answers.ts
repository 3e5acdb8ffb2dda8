import type { Dataset, QueryKind } from "@coken/ledger";
import { GatewayError } from "../../errors.js";
import type { AnswerResult, DatasetQuery, VerifiedAnswer } from "../../federation/types.js";
import type { Resolvers } from "../../generated/graphql.js";
import { chooseGrant } from "../grant-choice.js";
import type { OfficialContext } from "../models.js";
import { fieldOf, fieldValue, indexedFieldOf, lookupFields, predicate } from "../query-args.js";

/** The result as the kind asked, or PROOF_INVALID. */
function resultOf<K extends QueryKind>(result: AnswerResult, kind: K): Extract<AnswerResult, { kind: K }> {
  if (result.kind !== kind)
    throw new GatewayError("PROOF_INVALID", "the answer is not for the question asked");
  return result as Extract<AnswerResult, { kind: K }>;
}

/** Asks the dataset's owner through the federation client and checks the answer is for the question asked. */
async function ask(
  ctx: OfficialContext,
  dataset: Dataset,
  query: DatasetQuery,
  grant: string | null | undefined,
  grantCheck: (fields: string[]) => void = () => {},
) {
  const { official } = ctx;
  // The kind is checked here too, so a provider cannot answer a different question than the one asked.
  const chosen = chooseGrant(official.ledger, official.self, dataset, query.kind, grant, ctx.now());
  grantCheck(chosen.fields);
  const answer = await ctx.federate({
    provider: dataset.owner,
    dataset: dataset.id,
    grant: chosen.id,
    query,
  });
  if (answer.dataset !== dataset.id || answer.provider !== dataset.owner) {
    throw new GatewayError("PROOF_INVALID", "the answer is not for the question asked");
  }
  resultOf(answer.result, query.kind);
  const proved = query.kind !== "lookup";
  if (proved && (answer.verification.proof === null || !answer.verification.proof.verified)) {
    throw new GatewayError("PROOF_INVALID", "the answer carries no verified proof");
  }
  return { ...envelope(answer), result: answer.result };
}

/** `ask` for a proved kind: the proof is there and verified (checked in `ask`). */
async function askProved(
  ctx: OfficialContext,
  dataset: Dataset,
  query: DatasetQuery,
  grant: string | null | undefined,
) {
  const { proof, ...rest } = await ask(ctx, dataset, query, grant);
  if (proof === null) throw new GatewayError("PROOF_INVALID", "the answer carries no verified proof");
  return { ...rest, proof };
}

function envelope(answer: VerifiedAnswer) {
  const proof = answer.verification.proof;
  return {
    provider: answer.provider,
    dataset: answer.dataset,
    proof: proof === null ? null : { ...proof },
    receipt: { id: answer.verification.receipt.id },
  };
}

/** Dataset query kinds: arguments checked against the catalog's field schema, then asked of the owner. */
export const answerResolvers: Resolvers = {
  Dataset: {
    lookup: async (d, { key, fields, grant }, ctx) => {
      let names: string[] = [];
      const { result, ...rest } = await ask(ctx, d, { kind: "lookup", key, fields }, grant, (granted) => {
        names = lookupFields(d, fields, granted);
      });
      // Only the fields asked for, even if a provider sends more.
      const values = names.map((name) => {
        const v = resultOf(result, "lookup").fields[name];
        return { name, value: v === undefined || v === null ? null : String(v) };
      });
      const found = resultOf(result, "lookup").found;
      return { ...rest, proof: null, found, fields: found ? values : [] };
    },
    threshold: async (d, { key, field, op, value, upper, grant }, ctx) => {
      const p = predicate(d, { field, op, value, upper: upper ?? null });
      const { result, ...rest } = await askProved(ctx, d, { kind: "threshold", key, ...p }, grant);
      return { ...rest, holds: resultOf(result, "threshold").holds };
    },
    membership: async (d, { key, grant }, ctx) => {
      const { result, ...rest } = await askProved(ctx, d, { kind: "membership", key }, grant);
      return { ...rest, member: resultOf(result, "membership").member };
    },
    count: async (d, { field, from, to, grant }, ctx) => {
      const f = indexedFieldOf(d, field);
      const query = { kind: "count" as const, field, from: fieldValue(f, from), to: fieldValue(f, to) };
      const { result, ...rest } = await askProved(ctx, d, query, grant);
      return { ...rest, count: resultOf(result, "count").count };
    },
    sum: async (d, { field, from, to, sumField, grant }, ctx) => {
      const f = indexedFieldOf(d, field);
      fieldOf(d, sumField);
      const query = {
        kind: "sum" as const,
        field,
        from: fieldValue(f, from),
        to: fieldValue(f, to),
        sumField,
      };
      const { result, ...rest } = await askProved(ctx, d, query, grant);
      const r = resultOf(result, "sum");
      return { ...rest, count: r.count, sum: r.sum };
    },
    filter: async (d, { where, aggregate, sumField, grant }, ctx) => {
      if (where.length === 0) throw new GatewayError("BAD_USER_INPUT", "filter needs at least one predicate");
      if (aggregate === "sum" && sumField == null)
        throw new GatewayError("BAD_USER_INPUT", "sum needs sumField");
      if (sumField != null) fieldOf(d, sumField);
      const query = {
        kind: "filter" as const,
        where: where.map((w) => predicate(d, { ...w, upper: w.upper ?? null })),
        aggregate,
        ...(sumField == null ? {} : { sumField }),
      };
      const { result, ...rest } = await askProved(ctx, d, query, grant);
      const r = resultOf(result, "filter");
      return { ...rest, count: r.count, sum: r.sum ?? null };
    },
  },
};
