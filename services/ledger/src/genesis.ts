import { EMPTY_RECEIPT_LOG } from "./apply/access.js";
import { TxError } from "./apply/errors.js";
import { checkParams } from "./apply/governance.js";
import { fromHex } from "./bytes.js";
import { DEFAULT_CREDIT_PARAMS } from "./credits/params.js";
import { createHasher, HASH_ALGORITHMS, type HashAlgorithm, type Hasher } from "./crypto/hash.js";
import { isWeakEd25519Key, KEY_SCHEMES, type KeyScheme } from "./crypto/signature.js";
import { type CborValue, encodeCbor } from "./encoding/cbor.js";
import { type Params, type RegulatorSet, ROLES, type Role, type Validator } from "./model.js";
import { CommittedState } from "./state/committed.js";
import { keys } from "./state/keys.js";
import type { StateRecord } from "./state/records.js";
import { LIMITS } from "./tx/codec.js";

export interface GenesisAgency {
  id: string;
  name: string;
  region: string;
  publicKey: Uint8Array;
  keyScheme: KeyScheme;
  roles: Role[];
  balance: bigint;
}

/** The chain's starting point, read from a JSON genesis file (docs/spec/ledger.md §Genesis). */
export interface Genesis {
  chainId: string;
  genesisTime: number;
  hashAlgorithm: HashAlgorithm;
  params: Params;
  agencies: GenesisAgency[];
  validators: Validator[];
  /** Absent: every agency with the regulator role is a member and one approval lifts a freeze. */
  regulators?: RegulatorSet;
}

export const DEFAULT_PARAMS: Params = {
  epochLength: 100,
  maxTxBytes: 4 << 20,
  maxReceiptsPerTx: 20_000,
  receiptMaxAgeMs: 3_600_000,
  receiptMaxFutureMs: 60_000,
  proposalTtl: 10_000,
};

export class GenesisError extends Error {
  override readonly name = "GenesisError";
  readonly code = "INVALID_GENESIS";
  constructor(
    readonly path: string,
    /** What is wrong at `path`: "missing", or what was expected. */
    readonly reason: string,
  ) {
    super(`genesis ${path}: ${reason}`);
  }
}

const ID = /^[a-z0-9](?:[a-z0-9.-]{0,62}[a-z0-9])?$/;
const REGION = /^[A-Za-z0-9][A-Za-z0-9-]{0,31}$/;
const ID_TEXT = "an id of lower-case letters, digits, '.' and '-' (at most 64)";

type Json = unknown;
/** A required field that is absent is "missing"; one that is present but wrong says what was expected. */
function refuse(v: Json, path: string, expected: string): GenesisError {
  return new GenesisError(path, v === undefined ? "missing" : `expected ${expected}`);
}
function obj(v: Json, path: string): Record<string, Json> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw refuse(v, path, "an object");
  return v as Record<string, Json>;
}
function str(v: Json, path: string, re?: RegExp, what = "a string", max = 256): string {
  if (typeof v !== "string" || (re && !re.test(v))) throw refuse(v, path, what);
  if (v.length > max) throw new GenesisError(path, `longer than ${max} characters`);
  return v;
}
function int(v: Json, path: string, min = 0): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < min)
    throw refuse(v, path, `an integer ≥ ${min}`);
  return v;
}
function oneOf<T extends string>(v: Json, path: string, allowed: readonly T[]): T {
  if (typeof v !== "string" || !(allowed as readonly string[]).includes(v)) {
    throw refuse(v, path, `one of ${allowed.join(", ")}`);
  }
  return v as T;
}
function list(v: Json, path: string): Json[] {
  if (!Array.isArray(v)) throw refuse(v, path, "an array");
  return v;
}

/** Refuses fields outside `allowed`, so a misspelt field is an error rather than a silent default. */
function only(o: Record<string, Json>, path: string, allowed: readonly string[]): void {
  for (const k of Object.keys(o))
    if (!allowed.includes(k)) throw new GenesisError(`${path}.${k}`, "unknown field");
}

/** Strict ISO-8601 UTC time: the calendar fields must survive a round trip (no 30 February, no 24:00). */
function utcTime(v: Json, path: string): number {
  const s = str(
    v,
    path,
    /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,3})?Z$/,
    "a UTC time such as 2026-01-01T00:00:00Z",
  );
  const time = Date.parse(s);
  const [whole, fraction = ""] = s.slice(0, -1).split(".");
  const normalised = `${whole}.${fraction.padEnd(3, "0")}Z`;
  if (!Number.isFinite(time) || time < 0 || new Date(time).toISOString() !== normalised) {
    throw new GenesisError(path, "not a valid UTC time");
  }
  return time;
}

const MAX_POWER = 1_000_000;
const MAX_VALIDATORS = 256;
const MAX_BALANCE = (1n << 64n) - 1n;

function parseAgency(v: Json, path: string): GenesisAgency {
  const a = obj(v, path);
  only(a, path, ["id", "name", "region", "publicKey", "keyScheme", "roles", "balance"]);
  const publicKey = fromHex(str(a.publicKey, `${path}.publicKey`, /^[0-9a-f]+$/, "lower-case hex"));
  const keyScheme = oneOf(a.keyScheme ?? "ed25519", `${path}.keyScheme`, KEY_SCHEMES);
  if (publicKey === undefined || (keyScheme === "ed25519" && isWeakEd25519Key(publicKey))) {
    throw new GenesisError(
      `${path}.publicKey`,
      "expected a 32-byte hex Ed25519 key of a point of large order",
    );
  }
  const roles = list(a.roles, `${path}.roles`).map((r, i) => oneOf(r, `${path}.roles[${i}]`, ROLES));
  if (roles.length === 0 || new Set(roles).size !== roles.length)
    throw new GenesisError(`${path}.roles`, "distinct, non-empty");
  const balance = str(
    a.balance ?? "0",
    `${path}.balance`,
    /^(0|[1-9][0-9]{0,19})$/,
    "a decimal string without leading zeros",
  );
  if (BigInt(balance) >= 1n << 64n) throw new GenesisError(`${path}.balance`, "above 2^64-1");
  return {
    id: str(a.id, `${path}.id`, ID, ID_TEXT),
    name: str(a.name, `${path}.name`),
    region: str(a.region, `${path}.region`, REGION, "a region code of letters, digits and '-' (at most 32)"),
    publicKey,
    keyScheme,
    roles,
    balance: BigInt(balance),
  };
}

/** The regulator set: 1..64 distinct genesis agencies with the regulator role, threshold 1..members. */
function parseRegulators(v: Json, agencies: readonly GenesisAgency[]): RegulatorSet {
  const o = obj(v, "$.regulators");
  only(o, "$.regulators", ["members", "threshold"]);
  const members = list(o.members, "$.regulators.members").map((m, i) => {
    const path = `$.regulators.members[${i}]`;
    const id = str(m, path, ID, ID_TEXT);
    if (!agencies.find((a) => a.id === id)?.roles.includes("regulator")) {
      throw new GenesisError(path, `${id} is not a genesis agency with the regulator role`);
    }
    return id;
  });
  if (
    members.length === 0 ||
    members.length > LIMITS.regulators ||
    new Set(members).size !== members.length
  ) {
    throw new GenesisError("$.regulators.members", `1..${LIMITS.regulators} distinct agencies`);
  }
  const threshold = int(o.threshold, "$.regulators.threshold", 1);
  if (threshold > members.length) throw new GenesisError("$.regulators.threshold", "more than the members");
  return { members, threshold };
}

/** Parses and checks a genesis document (already JSON-parsed); throws only `GenesisError`. */
export function parseGenesis(doc: Json): Genesis {
  const g = obj(doc, "$");
  only(g, "$", ["chainId", "genesisTime", "hashAlgorithm", "params", "agencies", "validators", "regulators"]);
  const time = utcTime(g.genesisTime, "$.genesisTime");
  const paramsIn = g.params === undefined ? {} : obj(g.params, "$.params");
  const params = { ...DEFAULT_PARAMS };
  for (const [name, value] of Object.entries(paramsIn)) {
    if (!Object.hasOwn(DEFAULT_PARAMS, name) && !Object.hasOwn(DEFAULT_CREDIT_PARAMS, name))
      throw new GenesisError(`$.params.${name}`, "unknown parameter");
    params[name as keyof Params] = int(value, `$.params.${name}`);
  }
  try {
    checkParams(params);
  } catch (e) {
    if (e instanceof TxError) throw new GenesisError("$.params", e.message);
    throw e;
  }
  const agencies = list(g.agencies, "$.agencies").map((a, i) => parseAgency(a, `$.agencies[${i}]`));
  const ids = new Set(agencies.map((a) => a.id));
  if (ids.size !== agencies.length) throw new GenesisError("$.agencies", "agency ids repeat");
  if (agencies.reduce((sum, a) => sum + a.balance, 0n) > MAX_BALANCE) {
    throw new GenesisError("$.agencies", "balances add up to more than 2^64-1");
  }
  const validators = list(g.validators, "$.validators").map((v, i) => {
    const o = obj(v, `$.validators[${i}]`);
    only(o, `$.validators[${i}]`, ["agency", "power"]);
    const agency = str(o.agency, `$.validators[${i}].agency`, ID, ID_TEXT);
    const found = agencies.find((a) => a.id === agency);
    if (!found?.roles.includes("validator")) {
      throw new GenesisError(
        `$.validators[${i}]`,
        `${agency} is not a genesis agency with the validator role`,
      );
    }
    const power = int(o.power, `$.validators[${i}].power`, 1);
    if (power > MAX_POWER) throw new GenesisError(`$.validators[${i}].power`, `at most ${MAX_POWER}`);
    return { agency, power };
  });
  if (validators.length > MAX_VALIDATORS) throw new GenesisError("$.validators", `at most ${MAX_VALIDATORS}`);
  if (validators.length === 0) throw new GenesisError("$.validators", "at least one validator");
  if (new Set(validators.map((v) => v.agency)).size !== validators.length) {
    throw new GenesisError("$.validators", "validators repeat");
  }
  return {
    chainId: str(g.chainId, "$.chainId", ID, ID_TEXT),
    genesisTime: time,
    hashAlgorithm: oneOf(g.hashAlgorithm ?? "sha256", "$.hashAlgorithm", HASH_ALGORITHMS),
    params,
    agencies,
    validators,
    // Left out when absent, so the genesis hash of a file without it is unchanged.
    ...(g.regulators === undefined ? {} : { regulators: parseRegulators(g.regulators, agencies) }),
  };
}

/** H("genesis", cbor(genesis)): the prevHash of block 1, binding the chain to its genesis. */
export function genesisHash(h: Hasher, genesis: Genesis): Uint8Array {
  return h.hash("genesis", encodeCbor(genesis as unknown as CborValue));
}

/** The state at height 0. */
export function genesisState(genesis: Genesis): CommittedState {
  const hasher = createHasher(genesis.hashAlgorithm);
  const state = new CommittedState(hasher);
  const writes = new Map<string, StateRecord>();
  for (const a of genesis.agencies) {
    const { balance, ...agency } = a;
    writes.set(keys.agency(a.id), { ...agency, registeredAt: 0 });
    writes.set(keys.account(a.id), { seq: 0, balance });
  }
  const validators = [...genesis.validators].sort((a, b) => (a.agency < b.agency ? -1 : 1));
  writes.set(keys.validators, { validators });
  writes.set(keys.params, genesis.params);
  writes.set(keys.receipts, EMPTY_RECEIPT_LOG);
  writes.set(keys.epoch, { number: 0, startHeight: 1 });
  if (genesis.regulators !== undefined) {
    const { members, threshold } = genesis.regulators;
    writes.set(keys.regulators, { members: [...members].sort(), threshold });
  }
  state.commit({ writes, receipts: [] });
  return state;
}
