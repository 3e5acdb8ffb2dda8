import {
  assembleProposal,
  type BlockPart,
  checkProposalHeader,
  createValidatorSet,
  DEFAULT_LIMITS,
  encodeBlockPart,
  encodeProposalHeader,
  type HeaderRefusal,
  joinParts,
  type ProposalHeader,
  partCount,
  proposalMessages,
  type SignedProposal,
  type ValidatorInfo,
  type ValidatorSet,
  verifyPart,
} from "@coken/consensus";
import { bytesEqual, type Hasher, toHex, type Verifier } from "@coken/ledger";
import type { PeerId } from "@coken/p2p";
import type { Logger } from "./log.js";

/** A proposal as this node gossips it: the header's bytes for `proposals`, each part's bytes for `parts`. */
export interface ProposalGossip {
  header: Uint8Array;
  parts: Uint8Array[];
}

/** Encodes a signed proposal as its gossip messages (the header first: receivers open a part set with it). */
export function encodeProposalGossip(h: Hasher, proposal: SignedProposal): ProposalGossip {
  const { header, parts } = proposalMessages(h, proposal);
  return { header: encodeProposalHeader(header), parts: parts.map(encodeBlockPart) };
}

/** Bounds on what part assembly holds, so no peer can make it grow without limit. */
export interface PartAssemblyLimits {
  /** Parts a header may name; a larger proposal is not assembled (like one over the block bound). */
  maxParts: number;
  /** Rounds above consensus' current one whose headers and parts are taken. */
  maxFutureRounds: number;
  /** Headers per round (more than one only from an equivocating proposer), complete or not. */
  maxHeadersPerRound: number;
  /** Part sets being filled at once; when full, the one farthest from the current round gives way to a nearer one. */
  maxOpenSets: number;
  /** Parts held per gossip author while no header of their round is known; past it the oldest is dropped. */
  maxEarlyPartsPerAuthor: number;
}

/** The limits of a node whose blocks hold at most `maxBlockBytes` of txs. */
export function assemblyLimits(maxBlockBytes: number): PartAssemblyLimits {
  return {
    // A block's encoding exceeds its txs' bytes (what maxBlockBytes bounds) by its header, evidence, lastCommit
    // and a few bytes per tx; 1 MiB covers them, as in the gossip and sync frame bounds.
    maxParts: partCount(maxBlockBytes + (1 << 20)),
    maxFutureRounds: DEFAULT_LIMITS.maxFutureRoundsPerValidator,
    maxHeadersPerRound: DEFAULT_LIMITS.maxProposalsPerRound,
    maxOpenSets: 4,
    maxEarlyPartsPerAuthor: 64,
  };
}

export interface PartAssemblyComponents {
  hasher: Hasher;
  verifier: Verifier;
  chain: string;
  /** The height consensus decides next (head + 1) and its round there (0 until that height starts). */
  position(): { height: number; round: number };
  /** The validator set of `height` (the one `position` names); asked once per height. */
  validators(height: number): readonly ValidatorInfo[];
  /** Takes each proposal whose parts are all in and make the block its header names. */
  deliver(proposal: SignedProposal): void;
  /** Counts data no honest peer sends against its gossip author. */
  reportInvalid(author: PeerId, reason: string): void;
  log: Logger;
}

export type HeaderOutcome =
  | "opened"
  | "completed"
  | "duplicate"
  | "other-height"
  | "future-round"
  | "round-full"
  | "no-room"
  | "too-large"
  | "not-proposer"
  | "unknown-validator"
  | "bad-signature";

export type PartOutcome =
  | "added"
  | "completed"
  | "duplicate"
  | "ignored"
  | "early"
  | "invalid"
  | "other-height"
  | "future-round";

const HEADER_REFUSALS = {
  NOT_PROPOSER: "not-proposer",
  UNKNOWN_VALIDATOR: "unknown-validator",
  BAD_SIGNATURE: "bad-signature",
} as const satisfies Record<HeaderRefusal, HeaderOutcome>;

/** One proposal header and the parts of its block received so far (`parts` is null once complete). */
interface PartSet {
  readonly key: string;
  readonly header: ProposalHeader;
  readonly author: PeerId;
  parts: (Uint8Array | undefined)[] | null;
  received: number;
}

/**
 * Collects gossiped proposals of the height consensus decides next: a header (checked as consensus checks a
 * proposal) opens a part set; each part is verified against its header's root as it arrives; once all are in, the
 * block is decoded, checked against the signed block hash and the whole proposal delivered. Parts that arrive
 * before their header wait in a small buffer per author. Holds only the next height; everything is bounded by
 * `PartAssemblyLimits`. Not thread-safe and not async: it runs on gossip handler calls.
 */
export class BlockPartAssembly {
  private height = -1;
  private validatorSet: ValidatorSet | null = null;
  private readonly rounds = new Map<number, PartSet[]>();
  private readonly early = new Map<string, BlockPart[]>();

  constructor(
    private readonly c: PartAssemblyComponents,
    readonly limits: PartAssemblyLimits,
  ) {}

  /** A gossiped header from `author`. */
  onHeader(header: ProposalHeader, author: PeerId): HeaderOutcome {
    const { height, round } = this.position();
    if (header.height !== height) return "other-height";
    if (header.round > round + this.limits.maxFutureRounds) return "future-round";
    const sets = this.rounds.get(header.round) ?? [];
    const key = `${toHex(header.blockHash)}/${toHex(header.parts.root)}/${header.parts.total}/${header.polRound}`;
    if (sets.some((s) => s.key === key)) return "duplicate";
    if (sets.length >= this.limits.maxHeadersPerRound) return "round-full";
    const refusal = checkProposalHeader(
      this.c.hasher,
      this.c.verifier,
      this.c.chain,
      header,
      this.validators(),
    );
    // A wrong proposer may be a validator-set view of its own (counted by consensus alike); a bad signature on a
    // message only its author publishes is that author's.
    if (refusal === "BAD_SIGNATURE") this.c.reportInvalid(author, "invalid-proposal-header");
    if (refusal !== null) return HEADER_REFUSALS[refusal];
    if (header.parts.total > this.limits.maxParts) {
      // Signed by the proposer: kept as complete, so its resends cost nothing more.
      this.c.log.warn("proposal over the block size bound", {
        proposer: header.proposer,
        height,
        round: header.round,
        parts: header.parts.total,
      });
      this.rounds.set(header.round, [...sets, { key, header, author, parts: null, received: 0 }]);
      return "too-large";
    }
    if (!this.makeRoom(header.round, round)) return "no-room";
    const set: PartSet = { key, header, author, parts: new Array(header.parts.total), received: 0 };
    this.rounds.set(header.round, [...sets, set]);
    this.adoptEarlyParts(set);
    return set.parts === null ? "completed" : "opened";
  }

  /** A gossiped part from `author`. */
  onPart(part: BlockPart, author: PeerId): PartOutcome {
    const { height, round } = this.position();
    if (part.height !== height) return "other-height";
    if (part.round > round + this.limits.maxFutureRounds) return "future-round";
    const sets = this.rounds.get(part.round) ?? [];
    if (sets.length === 0) return this.holdEarly(part, author);
    const open = sets.filter((s) => s.parts !== null);
    // Every header of the round is complete: a resend (or junk no set needs), not worth hashing.
    if (open.length === 0) return "ignored";
    if (open.some((s) => this.holds(s, part))) return "duplicate";
    for (const s of sets) {
      if (s.parts?.[part.index] !== undefined) continue;
      if (!verifyPart(this.c.hasher, s.header.parts, part)) continue;
      return s.parts === null ? "duplicate" : this.add(s, part.index, part.bytes);
    }
    this.c.reportInvalid(author, "invalid-block-part");
    return "invalid";
  }

  /** Part sets being filled and parts waiting for their header (for tests and status). */
  get held(): { openSets: number; earlyParts: number } {
    this.position();
    let openSets = 0;
    for (const sets of this.rounds.values()) openSets += sets.filter((s) => s.parts !== null).length;
    let earlyParts = 0;
    for (const list of this.early.values()) earlyParts += list.length;
    return { openSets, earlyParts };
  }

  /** Where consensus is; moving to another height forgets everything held for the previous one. */
  private position(): { height: number; round: number } {
    const at = this.c.position();
    if (at.height !== this.height) {
      this.height = at.height;
      this.validatorSet = null;
      this.rounds.clear();
      this.early.clear();
    }
    return at;
  }

  private validators(): ValidatorSet {
    this.validatorSet ??= createValidatorSet(this.c.validators(this.height));
    return this.validatorSet;
  }

  private holds(s: PartSet, part: BlockPart): boolean {
    const held = s.parts?.[part.index];
    return held !== undefined && bytesEqual(held, part.bytes);
  }

  private add(s: PartSet, index: number, bytes: Uint8Array): PartOutcome {
    const parts = s.parts as (Uint8Array | undefined)[];
    parts[index] = bytes;
    s.received++;
    if (s.received < s.header.parts.total) return "added";
    this.complete(s, parts as Uint8Array[]);
    return "completed";
  }

  /** The parts are all in: the proposal goes to consensus, or the proposer signed bytes that are no such block. */
  private complete(s: PartSet, parts: Uint8Array[]): void {
    s.parts = null;
    const out = assembleProposal(this.c.hasher, s.header, joinParts(parts));
    if (out.ok) {
      this.c.deliver(out.proposal);
      return;
    }
    const { proposer, height, round } = s.header;
    this.c.log.warn("proposal parts are not the block its header names", {
      proposer,
      height,
      round,
      failure: out.failure,
      error: out.detail,
    });
    this.c.reportInvalid(s.author, "invalid-proposal-block");
  }

  /**
   * Makes room for a part set of `round`: under `maxOpenSets` there is room; otherwise the open set farthest from
   * the current round (the higher on a tie) is forgotten, header included, if it is farther than `round`.
   */
  private makeRoom(round: number, current: number): boolean {
    const open: PartSet[] = [];
    for (const sets of this.rounds.values()) for (const s of sets) if (s.parts !== null) open.push(s);
    if (open.length < this.limits.maxOpenSets) return true;
    const distance = (r: number) => Math.abs(r - current);
    let farthest = open[0] as PartSet;
    for (const s of open) {
      const [d, best] = [distance(s.header.round), distance(farthest.header.round)];
      if (d > best || (d === best && s.header.round > farthest.header.round)) farthest = s;
    }
    const d = distance(farthest.header.round);
    if (d < distance(round) || (d === distance(round) && farthest.header.round <= round)) return false;
    const r = farthest.header.round;
    this.rounds.set(
      r,
      (this.rounds.get(r) ?? []).filter((s) => s !== farthest),
    );
    return true;
  }

  private holdEarly(part: BlockPart, author: PeerId): PartOutcome {
    const id = author.toString();
    const list = this.early.get(id) ?? [];
    if (list.some((p) => p.round === part.round && p.index === part.index)) return "duplicate";
    list.push(part);
    if (list.length > this.limits.maxEarlyPartsPerAuthor) list.shift();
    this.early.set(id, list);
    return "early";
  }

  /** Takes the waiting parts that verify against a new header; the others wait on (another header may match). */
  private adoptEarlyParts(s: PartSet): void {
    for (const [id, list] of this.early) {
      const rest: BlockPart[] = [];
      for (const part of list) {
        const fits =
          s.parts !== null &&
          part.round === s.header.round &&
          s.parts[part.index] === undefined &&
          verifyPart(this.c.hasher, s.header.parts, part);
        if (fits) this.add(s, part.index, part.bytes);
        else rest.push(part);
      }
      if (rest.length === 0) this.early.delete(id);
      else this.early.set(id, rest);
    }
  }
}
