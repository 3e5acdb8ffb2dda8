import { createHash } from "node:crypto";
import {
  type Block,
  blockHash,
  createHasher,
  createVerifier,
  ed25519Signer,
  evidenceRoot,
  lastCommitHash,
  type Signer,
  txRoot,
  validatorsHash,
} from "@coken/ledger";
import {
  type ConsensusConfig,
  type ConsensusInput,
  type ConsensusState,
  createConsensusState,
  type Effect,
  type SignedProposal,
  type SignedRecord,
  type SignedVote,
  signProposal,
  signVote,
  step,
  type Timeouts,
  type ValidatorInfo,
  type VoteType,
} from "../src/index.js";

export const CHAIN = "coken-test";
export const hasher = createHasher("sha256");
export const verifier = createVerifier();
export const T0 = Date.UTC(2026, 0, 1);

export const TIMEOUTS: Timeouts = {
  proposeMs: 300,
  proposeDeltaMs: 100,
  prevoteMs: 100,
  prevoteDeltaMs: 50,
  precommitMs: 100,
  precommitDeltaMs: 50,
};

const signers = new Map<string, Signer>();

/** Deterministic test keys: seed = SHA-256("coken-consensus-test:" + name). */
export function testSigner(name: string): Signer {
  let s = signers.get(name);
  if (s === undefined) {
    s = ed25519Signer(new Uint8Array(createHash("sha256").update(`coken-consensus-test:${name}`).digest()));
    signers.set(name, s);
  }
  return s;
}

export function validatorInfos(names: readonly string[], powers?: readonly number[]): ValidatorInfo[] {
  return names.map((agency, i) => ({
    agency,
    power: powers?.[i] ?? 1,
    publicKey: testSigner(agency).publicKey,
    keyScheme: "ed25519" as const,
  }));
}

/** Four validators of equal power; for height 1 the proposer of round r is NAMES[r % 4]. */
export const NAMES = ["a", "b", "c", "d"] as const;
export const VALIDATORS = validatorInfos(NAMES);

export function testConfig(self: string | null, validators = VALIDATORS): ConsensusConfig {
  return {
    chain: CHAIN,
    hasher,
    verifier,
    identity: self === null ? null : { agency: self, signer: testSigner(self) },
    validators,
    timeouts: TIMEOUTS,
  };
}

/** A small well-formed block; `salt` makes different blocks at the same height. */
export function testBlock(height: number, proposer: string, salt = 0): Block {
  const txs = [new TextEncoder().encode(`tx:${height}:${proposer}:${salt}`)];
  return {
    header: {
      chain: CHAIN,
      height,
      time: T0 + height * 1000 + salt,
      prevHash: new Uint8Array(32),
      proposer,
      txRoot: txRoot(hasher, txs),
      evidenceRoot: evidenceRoot(hasher, []),
      appHash: new Uint8Array(32),
      validatorsHash: validatorsHash(hasher, VALIDATORS),
      lastCommitHash: lastCommitHash(hasher, null),
    },
    txs,
    evidence: [],
    lastCommit: null,
  };
}

export function hashOf(block: Block): Uint8Array {
  return blockHash(hasher, block.header);
}

export function vote(
  validator: string,
  type: VoteType,
  round: number,
  block: Block | null,
  height = 1,
  time = T0,
): SignedVote {
  const unsigned = { type, height, round, blockHash: block === null ? null : hashOf(block), validator, time };
  return signVote(hasher, testSigner(validator), CHAIN, unsigned);
}

export function proposal(
  proposer: string,
  round: number,
  block: Block,
  polRound = -1,
  height = 1,
): SignedProposal {
  return signProposal(hasher, testSigner(proposer), CHAIN, { height, round, polRound, block, proposer });
}

/** One node under test, in the style of CometBFT's state_test: feed inputs, look at what it did. */
export class Node {
  state: ConsensusState;
  effects: Effect[] = [];
  time = T0;

  constructor(self: string | null, options: { validators?: ValidatorInfo[]; signed?: SignedRecord[] } = {}) {
    this.state = createConsensusState(testConfig(self, options.validators), { signed: options.signed ?? [] });
  }

  /** Applies one input and returns its effects (also appended to `effects`). */
  input(input: ConsensusInput): Effect[] {
    const out = step(this.state, input);
    this.state = out.state;
    this.effects.push(...out.effects);
    return out.effects;
  }

  start(height = 1): Effect[] {
    return this.input({ kind: "start", height, time: this.time });
  }

  propose(p: SignedProposal, valid = true): Effect[] {
    return this.input({ kind: "proposal", proposal: p, valid, time: this.time });
  }

  votes(...votes: SignedVote[]): Effect[] {
    const out: Effect[] = [];
    for (const v of votes) out.push(...this.input({ kind: "vote", vote: v, time: this.time }));
    return out;
  }

  timeout(step: "propose" | "prevote" | "precommit", round = this.state.round): Effect[] {
    return this.input({ kind: "timeout", step, height: this.state.height, round, time: this.time });
  }
}

export function votesIn(effects: readonly Effect[], type?: VoteType): SignedVote[] {
  return effects.flatMap((e) =>
    e.kind === "broadcastVote" && (type === undefined || e.vote.type === type) ? [e.vote] : [],
  );
}

export function proposalsIn(effects: readonly Effect[]): SignedProposal[] {
  return effects.flatMap((e) => (e.kind === "broadcastProposal" ? [e.proposal] : []));
}
