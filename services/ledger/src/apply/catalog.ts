import { NO_FACTS, onTime } from "../credits/quality.js";
import type { Dataset, DatasetCommitment, DatasetEntry, QueryKind } from "../model.js";
import { keys } from "../state/keys.js";
import type { TxPayloads } from "../tx/types.js";
import {
  invalid,
  requireAgency,
  requireDataset,
  requireNotFrozen,
  requireOwner,
  requireRole,
  type TxContext,
} from "./context.js";
import { reject } from "./errors.js";

function checkEntry(entry: DatasetEntry): void {
  const names = new Set<string>();
  for (const f of entry.fields) {
    if (names.has(f.name)) invalid("fields", `field ${f.name} appears twice`);
    names.add(f.name);
  }
}

function checkCommitment(
  fields: readonly { name: string }[],
  kinds: readonly QueryKind[],
  c: DatasetCommitment,
): void {
  const names = new Set(fields.map((f) => f.name));
  for (const f of c.indexedFields) if (!names.has(f)) invalid("commitment.indexedFields", `no field ${f}`);
  const seen = new Set<QueryKind>();
  for (const vk of c.verifyingKeys) {
    if (!kinds.includes(vk.queryKind)) invalid("commitment.verifyingKeys", `${vk.queryKind} is not allowed`);
    if (seen.has(vk.queryKind)) invalid("commitment.verifyingKeys", `${vk.queryKind} appears twice`);
    seen.add(vk.queryKind);
  }
}

/** Quality facts (docs/spec/credits.md §6.1): one more commitment, on time or late against the promised period. */
function noteCommit(ctx: TxContext, dataset: Dataset): void {
  const facts = ctx.state.get(keys.quality(dataset.id)) ?? NO_FACTS;
  const last = facts.lastCommitTime;
  const kept = last !== null && onTime(dataset.updateFrequency, last, ctx.block.time);
  ctx.state.set(keys.quality(dataset.id), {
    ...facts,
    commits: facts.commits + 1,
    onTime: facts.onTime + (kept ? 1 : 0),
    lastCommitTime: ctx.block.time,
  });
}

/** dataset.publish: a member adds a catalog entry it owns, optionally with its first commitment. */
export function publishDataset(ctx: TxContext, p: TxPayloads["dataset.publish"]): void {
  requireRole(ctx, requireAgency(ctx, ctx.sender), "member");
  if (ctx.state.get(keys.dataset(p.id)) !== undefined) {
    reject("ALREADY_EXISTS", `dataset ${p.id} exists`, { dataset: p.id });
  }
  checkEntry(p);
  if (p.commitment !== null) checkCommitment(p.fields, p.queryKinds, p.commitment);
  const { commitment, ...entry } = p;
  const dataset: Dataset = {
    ...entry,
    owner: ctx.sender,
    commitment,
    commitmentVersion: commitment === null ? 0 : 1,
    committedAt: commitment === null ? null : ctx.block.height,
    publishedAt: ctx.block.height,
    accessCount: 0,
  };
  ctx.state.set(keys.dataset(p.id), dataset);
  if (commitment !== null) noteCommit(ctx, dataset);
}

/** dataset.commit: the owner replaces the dataset's commitment (a new version of its rows). */
export function commitDataset(ctx: TxContext, p: TxPayloads["dataset.commit"]): void {
  const dataset = requireDataset(ctx, p.dataset);
  requireOwner(ctx, dataset);
  requireNotFrozen(ctx, "dataset", dataset.id);
  checkCommitment(dataset.fields, dataset.queryKinds, p.commitment);
  ctx.state.set(keys.dataset(dataset.id), {
    ...dataset,
    commitment: p.commitment,
    commitmentVersion: dataset.commitmentVersion + 1,
    committedAt: ctx.block.height,
  });
  noteCommit(ctx, dataset);
}
