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
 * counter of txs, and a block is valid when it is structurally right on top of the node's chain head (the driver's
 * valid(v)). Evidence items must decode and verify; lastCommit must certify the previous block.
 */

export interface ChainHead {
  readonly height: number;
  readonly hash: Uint8Array;
  readonly time: number;
  readonly appHash: Uint8Array;
  readonly counter: number;
}

function appHashOf(counter: number): Uint8Array {
  return hasher.hash("sim.app", encodeCbor({ counter }));
}

export const GENESIS: ChainHead = {
  height: 0,
  hash: hasher.hash("genesis", utf8.encode(CHAIN)),
  time: T0,
  appHash: appHashOf(0),
  counter: 0,
};

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

/** valid(v): the block extends `head` correctly. */
export function validateBlock(block: Block, head: ChainHead, validators: readonly ValidatorInfo[]): boolean {
  const h = block.header;
  if (h.chain !== CHAIN || h.height !== head.height + 1 || !bytesEqual(h.prevHash, head.hash)) return false;
  if (h.time <= head.time || !bytesEqual(h.appHash, head.appHash)) return false;
  if (!bytesEqual(h.validatorsHash, validatorsHash(hasher, validators))) return false;
  if (!validators.some((v) => v.agency === h.proposer)) return false;
  if (block.txs.length !== 1 || !bytesEqual(h.txRoot, txRoot(hasher, block.txs))) return false;
  if (!bytesEqual(h.lastCommitHash, lastCommitHash(hasher, block.lastCommit))) return false;
  for (const raw of block.evidence) {
    try {
      if (!verifyEvidence(hasher, verifier, CHAIN, decodeEvidence(raw), validators).ok) return false;
    } catch (e) {
      if (e instanceof EncodingError) return false;
      throw e;
    }
  }
  if (head.height === 0) return block.lastCommit === null;
  if (block.lastCommit === null) return false;
  const expected = { height: head.height, blockHash: head.hash };
  return verifyCommit(hasher, verifier, CHAIN, block.lastCommit, expected, validators).ok;
}

/** The head after committing `block` on top of `head`. */
export function applyBlock(head: ChainHead, block: Block): ChainHead {
  const counter = head.counter + block.txs.length;
  return {
    height: block.header.height,
    hash: blockHash(hasher, block.header),
    time: block.header.time,
    appHash: appHashOf(counter),
    counter,
  };
}
