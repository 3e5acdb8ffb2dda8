import type { Hasher } from "../crypto/hash.js";
import { merkleRoot } from "../crypto/merkle.js";
import { type CborValue, decodeCbor, encodeCbor } from "../encoding/cbor.js";
import { array, bytes, type Decoder, nullable, struct, uint } from "../encoding/codec.js";
import { agencyId, chainId, hash32, signature } from "../encoding/fields.js";
import type { Validator } from "../model.js";
import type { Block, BlockHeader, CommitCertificate } from "./types.js";

export const MAX_BLOCK_TXS = 100_000;

export const blockHeader: Decoder<BlockHeader> = struct({
  chain: chainId,
  height: uint,
  time: uint,
  prevHash: hash32,
  proposer: agencyId,
  txRoot: hash32,
  evidenceRoot: hash32,
  appHash: hash32,
  validatorsHash: hash32,
  lastCommitHash: hash32,
});

export const commitCertificate: Decoder<CommitCertificate> = struct({
  height: uint,
  round: uint,
  blockHash: hash32,
  signatures: array(struct({ validator: agencyId, time: uint, signature }), 256, 1),
});

export const block: Decoder<Block> = struct({
  header: blockHeader,
  txs: array(bytes(undefined, 16 << 20), MAX_BLOCK_TXS),
  evidence: array(bytes(undefined, 1 << 16), 1024),
  lastCommit: nullable(commitCertificate),
});

export function encodeBlock(b: Block): Uint8Array {
  return encodeCbor(b as unknown as CborValue);
}

/** Parses block bytes; throws only `EncodingError`. */
export function decodeBlock(raw: Uint8Array): Block {
  return block(decodeCbor(raw), "block");
}

/** Parses canonical header bytes; throws only `EncodingError`. */
export function decodeBlockHeader(raw: Uint8Array): BlockHeader {
  return blockHeader(decodeCbor(raw), "header");
}

export function encodeCommitCertificate(c: CommitCertificate): Uint8Array {
  return encodeCbor(c as unknown as CborValue);
}

export function decodeCommitCertificate(raw: Uint8Array): CommitCertificate {
  return commitCertificate(decodeCbor(raw), "commit");
}

/** Block hash: H("block.header", canonical header bytes). */
export function blockHash(h: Hasher, header: BlockHeader): Uint8Array {
  return h.hash("block.header", encodeCbor(header as unknown as CborValue));
}

/** H("commit", cbor(certificate)); the header of block h+1 carries it for block h's certificate, block 1 for null. */
export function lastCommitHash(h: Hasher, certificate: CommitCertificate | null): Uint8Array {
  return h.hash("commit", encodeCbor(certificate as unknown as CborValue));
}

/** Merkle root over H("tx.raw", raw) of each tx, in block order. */
export function txRoot(h: Hasher, txs: readonly Uint8Array[]): Uint8Array {
  return merkleRoot(
    h,
    txs.map((raw) => h.hash("tx.raw", raw)),
  );
}

/** Merkle root over H("evidence.raw", item) of each evidence item, in block order. */
export function evidenceRoot(h: Hasher, evidence: readonly Uint8Array[]): Uint8Array {
  return merkleRoot(
    h,
    evidence.map((raw) => h.hash("evidence.raw", raw)),
  );
}

/** H("validators", cbor([{agency, power}] sorted by agency id)); other fields of the items are ignored. */
export function validatorsHash(h: Hasher, validators: readonly Validator[]): Uint8Array {
  const sorted = validators
    .map(({ agency, power }) => ({ agency, power }))
    .sort((a, b) => (a.agency < b.agency ? -1 : a.agency > b.agency ? 1 : 0));
  return h.hash("validators", encodeCbor(sorted as unknown as CborValue));
}

export type VoteType = "prevote" | "precommit";

/** What a validator signs for a vote: H("vote", cbor({chain, type, height, round, blockHash | null, time})). */
export function voteSignBytes(
  h: Hasher,
  vote: {
    chain: string;
    type: VoteType;
    height: number;
    round: number;
    blockHash: Uint8Array | null;
    time: number;
  },
): Uint8Array {
  return h.hash("vote", encodeCbor(vote as unknown as CborValue));
}
