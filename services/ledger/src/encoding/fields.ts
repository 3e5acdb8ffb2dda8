import { KEY_SCHEMES } from "../crypto/signature.js";
import {
  type DatasetCommitment,
  FIELD_TYPES,
  type FieldSpec,
  FREEZE_KINDS,
  type FreezeTarget,
  QUERY_KINDS,
  ROLES,
  UPDATE_FREQUENCIES,
} from "../model.js";
import { array, bool, bytes, type Decoder, literal, set, struct, text, uint } from "./codec.js";

/** Field decoders for identifiers and shared shapes; the patterns are normative (docs/spec/ledger.md §Identifiers). */
export const agencyId = text(64, /^[a-z0-9](?:[a-z0-9.-]{0,62}[a-z0-9])?$/);
export const datasetId = text(128, /^[a-z0-9](?:[a-z0-9._/-]{0,126}[a-z0-9])?$/);
export const derivedId = text(32, /^[0-9a-f]{32}$/);
export const region = text(32, /^[A-Za-z0-9][A-Za-z0-9-]{0,31}$/);
export const fieldName = text(64, /^[a-z][A-Za-z0-9_]{0,63}$/);
export const chainId = text(64, /^[a-z0-9](?:[a-z0-9.-]{0,62}[a-z0-9])?$/);
export const hash32 = bytes(32);
export const signature = bytes(undefined, 128);
export const publicKey = bytes(undefined, 128);
export const role = literal(...ROLES);
export const roles = set(role, ROLES.length, 1);
export const queryKind = literal(...QUERY_KINDS);
export const queryKinds = set(queryKind, QUERY_KINDS.length, 1);
export const keyScheme = literal(...KEY_SCHEMES);
export const updateFrequency = literal(...UPDATE_FREQUENCIES);
export const shortText = text(256);
export const longText = text(4096);

export const fieldSpec: Decoder<FieldSpec> = struct({
  name: fieldName,
  type: literal(...FIELD_TYPES),
  indexed: bool,
  personal: bool,
});

export const commitment: Decoder<DatasetCommitment> = struct({
  scheme: text(64, /^[a-z0-9][a-z0-9.-]{0,63}$/),
  root: hash32,
  rowCount: uint,
  indexedFields: set(fieldName, 64),
  verifyingKeys: array(struct({ queryKind, hash: hash32 }), 16),
});

/** Fields of an agency as governance admits it; the agency record adds `registeredAt`. */
export const admissionShape = { id: agencyId, name: shortText, region, publicKey, keyScheme, roles };

export const freezeTarget: Decoder<FreezeTarget> = struct({
  kind: literal(...FREEZE_KINDS),
  id: text(128, /^[a-z0-9](?:[a-z0-9._/-]{0,126}[a-z0-9])?$/),
});
