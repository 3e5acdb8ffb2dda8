import { CREDIT_PARAM_BOUNDS } from "../credits/params.js";
import { isWeakEd25519Key } from "../crypto/signature.js";
import type { FreezeRules, GovernanceAction, Params, Proposal, RegulatorSet, Validator } from "../model.js";
import { keys } from "../state/keys.js";
import { scheduleValidators, validatorSetsFrom, validatorsInForce } from "../state/validator-sets.js";
import { LIMITS } from "../tx/codec.js";
import { derivedId } from "../tx/sign.js";
import type { TxPayloads } from "../tx/types.js";
import { invalid, requireAgency, requireRole, type TxContext } from "./context.js";
import { reject, TxError } from "./errors.js";

const PARAM_MINIMUMS: Record<keyof Params, number> = {
  epochLength: 1,
  maxTxBytes: 1024,
  maxReceiptsPerTx: 1,
  receiptMaxAgeMs: 1000,
  receiptMaxFutureMs: 0,
  proposalTtl: 1,
  mintPerEpoch: CREDIT_PARAM_BOUNDS.mintPerEpoch.min,
  feeBurnBps: CREDIT_PARAM_BOUNDS.feeBurnBps.min,
  pairCap: CREDIT_PARAM_BOUNDS.pairCap.min,
  rewardCapBps: CREDIT_PARAM_BOUNDS.rewardCapBps.min,
};

/** Parameter bounds, shared with genesis validation. */
export function checkParams(params: Partial<Params>): void {
  for (const [name, value] of Object.entries(params)) {
    const min = PARAM_MINIMUMS[name as keyof Params];
    if (value !== undefined && value < min) invalid(`params.${name}`, `must be at least ${min}`);
    const max = CREDIT_PARAM_BOUNDS[name as keyof typeof CREDIT_PARAM_BOUNDS]?.max;
    if (value !== undefined && max !== undefined && value > max) {
      invalid(`params.${name}`, `must be at most ${max}`);
    }
  }
}

/** The set in force for the tx's block: it alone proposes, votes and weighs votes (a scheduled set counts later). */
export function validatorsOf(ctx: TxContext): Validator[] {
  return validatorsInForce(ctx.state);
}

function checkAction(ctx: TxContext, action: GovernanceAction): void {
  switch (action.type) {
    case "validators.set": {
      const seen = new Set<string>();
      for (const v of action.validators) {
        if (seen.has(v.agency)) invalid("validators", `${v.agency} appears twice`);
        seen.add(v.agency);
        if (v.power < 1 || v.power > 1_000_000) invalid("validators", "power must be in 1..1000000");
        requireRole(ctx, requireAgency(ctx, v.agency), "validator");
      }
      return;
    }
    case "params.set":
      if (Object.keys(action.params).length === 0) invalid("params", "no parameter given");
      checkParams(action.params);
      return;
    case "agency.admit": {
      const { id, publicKey, keyScheme } = action.agency;
      if (ctx.state.get(keys.agency(id)) !== undefined || ctx.state.get(keys.admission(id)) !== undefined) {
        reject("ALREADY_EXISTS", `agency ${id} exists or is admitted`, { agency: id });
      }
      if (keyScheme === "ed25519" && isWeakEd25519Key(publicKey)) {
        invalid("agency.publicKey", "not a 32-byte Ed25519 key of a point of large order");
      }
      return;
    }
    case "agency.roles": {
      requireAgency(ctx, action.agency);
      if (action.roles.includes("validator")) return;
      // Every member of a set that decides a height, now or once scheduled, keeps the role.
      for (const set of validatorSetsFrom(ctx.state, ctx.block.height)) {
        if (!set.validators.some((v) => v.agency === action.agency)) continue;
        const which = set.from === ctx.block.height ? "" : ` taking effect at height ${set.from}`;
        invalid("roles", `${action.agency} is in the validator set${which}; replace the set first`);
      }
      return;
    }
    case "agency.relate": {
      const [a, b] = action.agencies;
      if (a === b) invalid("agencies", "an agency is not related to itself");
      requireAgency(ctx, a);
      requireAgency(ctx, b);
      return;
    }
    case "regulators.set":
      checkRegulatorSet(ctx, action.regulators);
      return;
    case "freezeRules.set":
      checkFreezeRules(action.rules);
      return;
  }
}

/** A regulator set: distinct members holding the regulator role, threshold 1..members. */
function checkRegulatorSet(ctx: TxContext, set: RegulatorSet): void {
  if (new Set(set.members).size !== set.members.length) invalid("regulators.members", "members repeat");
  if (set.threshold < 1 || set.threshold > set.members.length) {
    invalid("regulators.threshold", `must be in 1..${set.members.length}`);
  }
  for (const m of set.members) requireRole(ctx, requireAgency(ctx, m), "regulator");
}

/** Rule bounds (docs/spec/ledger.md §10.9); 0 turns a rate rule off. */
export function checkFreezeRules(rules: FreezeRules): void {
  const q = rules.quotaOverrunBps;
  if (q !== 0 && (q < 10_000 || q > 1_000_000)) {
    invalid("rules.quotaOverrunBps", "must be 0 or in 10000..1000000");
  }
  if (rules.disputeRateBps > 10_000) invalid("rules.disputeRateBps", "must be at most 10000");
  if (rules.disputeMinReceipts < 1) invalid("rules.disputeMinReceipts", "must be at least 1");
}

function execute(ctx: TxContext, action: GovernanceAction): void {
  switch (action.type) {
    case "validators.set":
      scheduleValidators(ctx.state, ctx.block.height, action.validators);
      return;
    case "params.set": {
      const current = ctx.state.get(keys.params) as Params;
      ctx.state.set(keys.params, { ...current, ...action.params });
      return;
    }
    case "agency.admit":
      ctx.state.set(keys.admission(action.agency.id), action.agency);
      return;
    case "agency.roles": {
      const agency = requireAgency(ctx, action.agency);
      ctx.state.set(keys.agency(agency.id), { ...agency, roles: action.roles });
      return;
    }
    case "agency.relate": {
      const [a, b] = action.agencies;
      const key = keys.relation(a, b);
      if (!action.related) ctx.state.delete(key);
      else {
        const pair: [string, string] = a < b ? [a, b] : [b, a];
        ctx.state.set(key, { agencies: pair, height: ctx.block.height });
      }
      return;
    }
    case "regulators.set":
      ctx.state.set(keys.regulators, {
        members: [...action.regulators.members].sort(),
        threshold: action.regulators.threshold,
      });
      return;
    case "freezeRules.set":
      ctx.state.set(keys.freezerules, action.rules);
      return;
  }
}

/**
 * Counts votes with the powers of the set in force for this block; executes at > 2/3, rejects once that is out of
 * reach.
 */
function tally(ctx: TxContext, proposal: Proposal): Proposal {
  const powers = new Map(validatorsOf(ctx).map((v) => [v.agency, v.power]));
  let total = 0;
  for (const p of powers.values()) total += p;
  let yes = 0;
  let no = 0;
  for (const v of proposal.votes) {
    const p = powers.get(v.agency) ?? 0;
    if (v.approve) yes += p;
    else no += p;
  }
  if (yes * 3 > total * 2) {
    try {
      checkAction(ctx, proposal.action);
      execute(ctx, proposal.action);
      return { ...proposal, status: "executed", closedAt: ctx.block.height };
    } catch (e) {
      if (!(e instanceof TxError)) throw e;
      return {
        ...proposal,
        status: "failed",
        closedAt: ctx.block.height,
        failure: `${e.code}: ${e.message}`,
      };
    }
  }
  if ((total - no) * 3 <= total * 2) return { ...proposal, status: "rejected", closedAt: ctx.block.height };
  return proposal;
}

function requireValidator(ctx: TxContext): void {
  if (!validatorsOf(ctx).some((v) => v.agency === ctx.sender)) {
    reject("NOT_AUTHORIZED", `${ctx.sender} is not a validator`, { agency: ctx.sender });
  }
}

/** governance.propose: a validator proposes an action; its own approval is counted at once. */
export function propose(ctx: TxContext, p: TxPayloads["governance.propose"]): void {
  requireValidator(ctx);
  checkAction(ctx, p.action);
  const id = derivedId(ctx.block.hasher, "proposal", ctx.sender, ctx.seq);
  const proposal: Proposal = {
    id,
    proposer: ctx.sender,
    action: p.action,
    createdAt: ctx.block.height,
    deadline: ctx.block.height + ctx.params.proposalTtl,
    votes: [{ agency: ctx.sender, approve: true }],
    status: "open",
    closedAt: null,
    failure: null,
  };
  ctx.state.set(keys.proposal(id), tally(ctx, proposal));
}

/** governance.vote: a validator approves or rejects an open proposal before its deadline. */
export function vote(ctx: TxContext, p: TxPayloads["governance.vote"]): void {
  requireValidator(ctx);
  const proposal =
    ctx.state.get(keys.proposal(p.proposal)) ??
    reject("UNKNOWN_PROPOSAL", `no proposal ${p.proposal}`, { proposal: p.proposal });
  if (proposal.status !== "open" || ctx.block.height > proposal.deadline) {
    reject("PROPOSAL_CLOSED", `proposal ${proposal.id} is closed`, {
      proposal: proposal.id,
      status: proposal.status,
    });
  }
  if (proposal.votes.length >= LIMITS.votes)
    invalid("proposal", `a proposal holds at most ${LIMITS.votes} votes`);
  if (proposal.votes.some((v) => v.agency === ctx.sender)) {
    reject("ALREADY_VOTED", `${ctx.sender} already voted`, { proposal: proposal.id });
  }
  const votes = [...proposal.votes, { agency: ctx.sender, approve: p.approve }].sort((a, b) =>
    a.agency < b.agency ? -1 : 1,
  );
  ctx.state.set(keys.proposal(proposal.id), tally(ctx, { ...proposal, votes }));
}
