import { bytesEqual } from "../bytes.js";
import type { Hasher } from "../crypto/hash.js";
import type { KeyScheme, Signer, Verifier } from "../crypto/signature.js";
import { type CborValue, decodeCbor, encodeCbor } from "../encoding/cbor.js";
import { array, struct, uint } from "../encoding/codec.js";
import { agencyId, keyScheme, publicKey } from "../encoding/fields.js";
import type { Validator } from "../model.js";
import { keys } from "../state/keys.js";
import type { StateReader } from "../state/view.js";
import { blockHash, voteSignBytes } from "./codec.js";
import type { Block, CommitCertificate } from "./types.js";

/** A member of a validator set with the key its precommits are checked against. */
export interface ValidatorKey extends Validator {
  keyScheme: KeyScheme;
  publicKey: Uint8Array;
}

const validatorKeyList = array(struct({ agency: agencyId, power: uint, keyScheme, publicKey }), 256);

/** cbor of a validator set with keys (a store keeps the set that decided its newest block). */
export function encodeValidatorKeys(validators: readonly ValidatorKey[]): Uint8Array {
  return encodeCbor(
    validators.map((v) => ({
      agency: v.agency,
      power: v.power,
      keyScheme: v.keyScheme,
      publicKey: v.publicKey,
    })) as unknown as CborValue,
  );
}

/** Parses `encodeValidatorKeys` bytes; throws only `EncodingError`. */
export function decodeValidatorKeys(raw: Uint8Array): ValidatorKey[] {
  return validatorKeyList(decodeCbor(raw), "validators");
}

/** Why a certificate is refused (§11 of the ledger specification), in the order the checks run. */
export type CommitErrorCode =
  | "WRONG_BLOCK"
  | "UNKNOWN_VALIDATOR"
  | "DUPLICATE_VALIDATOR"
  | "UNORDERED_SIGNATURES"
  | "BAD_SIGNATURE"
  | "NO_QUORUM";

export type CommitCheck = { ok: true; power: number; total: number } | { ok: false; reason: CommitErrorCode };

/** A certificate refused where one is required (a block's seen commit, a synced block's certificate). */
export class CommitError extends Error {
  override readonly name = "CommitError";
  constructor(
    readonly code: CommitErrorCode,
    readonly height: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The validator set of `state` with each member's key from the same state: for the block executed on `state`,
 * the signers its certificate is checked against. A member without an agency record is left out (it cannot sign).
 */
export function validatorKeys(state: StateReader): ValidatorKey[] {
  const out: ValidatorKey[] = [];
  for (const v of state.get(keys.validators)?.validators ?? []) {
    const agency = state.get(keys.agency(v.agency));
    if (agency !== undefined)
      out.push({
        agency: v.agency,
        power: v.power,
        keyScheme: agency.keyScheme,
        publicKey: agency.publicKey,
      });
  }
  return out;
}

/**
 * Verifies a commit certificate for `blockHash` at `height` against the validator set in force for that block:
 * signatures strictly ascending by validator id, each a valid precommit of a distinct member, together holding
 * more than 2/3 of the set's total power. Pure; returns the first failure in the §11 order.
 */
export function verifyCommit(
  h: Hasher,
  verifier: Verifier,
  chain: string,
  cert: CommitCertificate,
  expected: { height: number; blockHash: Uint8Array },
  validators: readonly ValidatorKey[],
): CommitCheck {
  if (cert.height !== expected.height || !bytesEqual(cert.blockHash, expected.blockHash)) {
    return { ok: false, reason: "WRONG_BLOCK" };
  }
  const members = new Map(validators.map((v) => [v.agency, v]));
  let total = 0;
  for (const v of validators) total += v.power;
  const seen = new Set<string>();
  let previous = "";
  let power = 0;
  for (const s of cert.signatures) {
    const member = members.get(s.validator);
    if (member === undefined) return { ok: false, reason: "UNKNOWN_VALIDATOR" };
    if (seen.has(s.validator)) return { ok: false, reason: "DUPLICATE_VALIDATOR" };
    // Agency ids are ASCII, so string order is byte order.
    if (s.validator < previous) return { ok: false, reason: "UNORDERED_SIGNATURES" };
    seen.add(s.validator);
    previous = s.validator;
    const msg = voteSignBytes(h, {
      chain,
      type: "precommit",
      height: cert.height,
      round: cert.round,
      blockHash: cert.blockHash,
      time: s.time,
    });
    if (!verifier.verify(member.keyScheme, member.publicKey, msg, s.signature))
      return { ok: false, reason: "BAD_SIGNATURE" };
    power += member.power;
  }
  if (power * 3 <= total * 2) return { ok: false, reason: "NO_QUORUM" };
  return { ok: true, power, total };
}

/**
 * The canonical certificate of `block` from precommits in round `round`, signed at `time` by each of `signers`
 * (put in ascending order of validator id, the only order `verifyCommit` accepts).
 */
export function signCommit(
  h: Hasher,
  block: Block,
  signers: readonly { validator: string; signer: Signer }[],
  time: number,
  round = 0,
): CommitCertificate {
  const { chain, height } = block.header;
  const hash = blockHash(h, block.header);
  const msg = voteSignBytes(h, { chain, type: "precommit", height, round, blockHash: hash, time });
  const sorted = [...signers].sort((a, b) =>
    a.validator < b.validator ? -1 : a.validator > b.validator ? 1 : 0,
  );
  return {
    height,
    round,
    blockHash: hash,
    signatures: sorted.map(({ validator, signer }) => ({ validator, time, signature: signer.sign(msg) })),
  };
}
