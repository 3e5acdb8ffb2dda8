import type { Hasher } from "../crypto/hash.js";
import type { Verifier } from "../crypto/signature.js";
import type { Account, Agency, Dataset, FreezeKind, Grant, Params, Role } from "../model.js";
import { keys } from "../state/keys.js";
import type { StateOverlay } from "../state/view.js";
import { reject } from "./errors.js";

/** The block a tx is applied in: everything time- or chain-dependent comes from here, never from a clock. */
export interface BlockContext {
  readonly chain: string;
  readonly height: number;
  /** Block time, ms since the Unix epoch, from the block header. */
  readonly time: number;
  readonly hasher: Hasher;
  readonly verifier: Verifier;
}

/** What a handler gets: the overlay it writes to, the block, and the authenticated sender. */
export interface TxContext {
  readonly state: StateOverlay;
  readonly block: BlockContext;
  readonly sender: string;
  readonly seq: number;
  readonly params: Params;
}

export function requireAgency(ctx: TxContext, id: string): Agency {
  return ctx.state.get(keys.agency(id)) ?? reject("UNKNOWN_AGENCY", `no agency ${id}`, { agency: id });
}

export function requireAccount(ctx: TxContext, id: string): Account {
  return ctx.state.get(keys.account(id)) ?? reject("UNKNOWN_AGENCY", `no account ${id}`, { agency: id });
}

export function requireDataset(ctx: TxContext, id: string): Dataset {
  return ctx.state.get(keys.dataset(id)) ?? reject("UNKNOWN_DATASET", `no dataset ${id}`, { dataset: id });
}

export function requireGrant(ctx: TxContext, id: string): Grant {
  return ctx.state.get(keys.grant(id)) ?? reject("UNKNOWN_GRANT", `no grant ${id}`, { grant: id });
}

export function isFrozen(ctx: TxContext, kind: FreezeKind, id: string): boolean {
  return ctx.state.get(keys.freeze(kind, id)) !== undefined;
}

export function requireNotFrozen(ctx: TxContext, kind: FreezeKind, id: string): void {
  if (isFrozen(ctx, kind, id)) reject("FROZEN", `${kind} ${id} is frozen`, { kind, id });
}

export function requireRole(_ctx: TxContext, agency: Agency, role: Role): void {
  if (!agency.roles.includes(role)) {
    reject("NOT_AUTHORIZED", `${agency.id} lacks the ${role} role`, { agency: agency.id, role });
  }
}

export function requireOwner(ctx: TxContext, dataset: Dataset): void {
  if (dataset.owner !== ctx.sender) {
    reject("NOT_AUTHORIZED", `only the owner ${dataset.owner} may do this`, {
      dataset: dataset.id,
      owner: dataset.owner,
    });
  }
}

export function invalid(field: string, message: string): never {
  return reject("INVALID_FIELD", `${field}: ${message}`, { field });
}
