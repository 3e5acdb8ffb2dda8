import {
  type Block,
  blockHash,
  bytesEqual,
  type CborValue,
  type CommitCertificate,
  EncodingError,
  encodeCbor,
  evidenceRoot,
  lastCommitHash,
  txRoot,
  utf8,
  validatorsHash,
  verifyCommit,
} from "@coken/ledger";
import { decodeEvidence, type ValidatorInfo, verifyEvidence } from "../../src/index.js";
import { CHAIN, hasher, T0 } from "../helpers.js";
import { simVerifier as verifier } from "./verifier.js";

/*
 * A tiny fake application for the simulation: each block carries one tx naming its proposer, the app state is a
 * counter of txs and the validator sets, and a block is valid when it is structurally right on top of the node's
 * chain head (the driver's valid(v)). Evidence items must decode and verify; lastCommit must certify the previous
 * block. Scripted validator-set changes follow the ledger's rule (ledger §13.5): a change executed in block h
 * decides heights h + 2 on.
 */

export interface ChainHead {
  readonly height: number;
  readonly hash: Uint8Array;
  readonly time: number;
  readonly appHash: Uint8Array;
  readonly counter: number;
  /** The set that decided this block (the ledger's `head.validators`); empty at genesis. */
  readonly decidedBy: readonly ValidatorInfo[];
  /** The set of the next height (the ledger's `validators` record). */
  readonly validators: readonly ValidatorInfo[];
  /** The set this block scheduled for the height after next (the ledger's `nextvalidators`), if any. */
  readonly scheduled: readonly ValidatorInfo[] | null;
  /** The script: the sets that changes executed in blocks of these heights name (governance `validators.set`). */
  readonly changes: ReadonlyMap<number, readonly ValidatorInfo[]>;
  readonly genesisValidators: readonly ValidatorInfo[];
}

function appHashOf(
  counter: number,
  validators: readonly ValidatorInfo[],
  scheduled: readonly ValidatorInfo[] | null,
) {
  const set = (vs: readonly ValidatorInfo[]) => vs.map((v) => ({ agency: v.agency, power: v.power }));
  const state = {
    counter,
    validators: set(validators),
    scheduled: scheduled === null ? null : set(scheduled),
  };
  return hasher.hash("sim.app", encodeCbor(state as CborValue));
}

/** The head before block 1, with the genesis set and the scripted changes. */
export function genesisHead(
  validators: readonly ValidatorInfo[],
  changes: ReadonlyMap<number, readonly ValidatorInfo[]> = new Map(),
): ChainHead {
  return {
    height: 0,
    hash: hasher.hash("genesis", utf8.encode(CHAIN)),
    time: T0,
    appHash: appHashOf(0, validators, null),
    counter: 0,
    decidedBy: [],
    validators,
    scheduled: null,
    changes,
    genesisValidators: validators,
  };
}

/**
 * The set of `height` stated directly from the script, as an oracle for the heads: the set of the last change
 * executed at or below `height − 2`, else the genesis set.
 */
export function validatorSetOf(head: ChainHead, height: number): readonly ValidatorInfo[] {
  let set = head.genesisValidators;
  for (const [at, validators] of [...head.changes].sort((a, b) => a[0] - b[0])) {
    if (at <= height - 2) set = validators;
  }
  return set;
}

/** The block `proposer` makes on top of `head`; `salt` lets an equivocating proposer make a second one. */
export function buildBlock(
  head: ChainHead,
  proposer: string,
  now: number,
  validators: readonly ValidatorInfo[],
  lastCommit: CommitCertificate | null,
  evidence: Uint8Array[],
  salt = 0,
): Block {
  const height = head.height + 1;
  const txs = [encodeCbor({ proposer, height, salt } as CborValue)];
  return {
    header: {
      chain: CHAIN,
      height,
      time: Math.max(now, head.time + 1),
      prevHash: head.hash,
      proposer,
      txRoot: txRoot(hasher, txs),
      evidenceRoot: evidenceRoot(hasher, evidence),
      appHash: head.appHash,
      validatorsHash: validatorsHash(hasher, validators),
      lastCommitHash: lastCommitHash(hasher, lastCommit),
    },
    txs,
    evidence,
    lastCommit,
  };
}

/** valid(v): the block extends `head` correctly, named and proposed by the set of its height. */
export function validateBlock(block: Block, head: ChainHead): boolean {
  const { validators } = head;
  const h = block.header;
  if (h.chain !== CHAIN || h.height !== head.height + 1 || !bytesEqual(h.prevHash, head.hash)) return false;
  if (h.time <= head.time || !bytesEqual(h.appHash, head.appHash)) return false;
  if (!bytesEqual(h.validatorsHash, validatorsHash(hasher, validators))) return false;
  if (!validators.some((v) => v.agency === h.proposer)) return false;
  if (block.txs.length !== 1 || !bytesEqual(h.txRoot, txRoot(hasher, block.txs))) return false;
  if (!bytesEqual(h.lastCommitHash, lastCommitHash(hasher, block.lastCommit))) return false;
  for (const raw of block.evidence) {
    try {
      const evidence = decodeEvidence(raw);
      const set = validatorSetOf(head, evidence.voteA.height);
      if (!verifyEvidence(hasher, verifier, CHAIN, evidence, set).ok) return false;
    } catch (e) {
      if (e instanceof EncodingError) return false;
      throw e;
    }
  }
  if (head.height === 0) return block.lastCommit === null;
  if (block.lastCommit === null) return false;
  const expected = { height: head.height, blockHash: head.hash };
  return verifyCommit(hasher, verifier, CHAIN, block.lastCommit, expected, head.decidedBy).ok;
}

/**
 * The head after committing `block` on top of `head`: the set scheduled by the block before becomes the set of the
 * next height, and a change scripted for this block is scheduled for the height after it.
 */
export function applyBlock(head: ChainHead, block: Block): ChainHead {
  const counter = head.counter + block.txs.length;
  const validators = head.scheduled ?? head.validators;
  const scheduled = head.changes.get(block.header.height) ?? null;
  return {
    ...head,
    height: block.header.height,
    hash: blockHash(hasher, block.header),
    time: block.header.time,
    appHash: appHashOf(counter, validators, scheduled),
    counter,
    decidedBy: head.validators,
    validators,
    scheduled,
  };
}
