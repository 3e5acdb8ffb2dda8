import type { DatasetCommitment, GovernanceAction, TxPayloads } from "@coken/ledger";
import { UsageError } from "./commands.js";
import { hex } from "./tx-flags.js";

// JSON documents for the tx commands that take a file. They are the ledger's payloads with bytes as hex and
// 64-bit amounts as decimal strings (or JSON numbers); the ledger's decoder then checks every field, so these
// converters only change representation and name what they cannot convert.

type Json = Record<string, unknown>;

function object(v: unknown, where: string): Json {
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw new UsageError(`${where}: expected an object`);
  return v as Json;
}

function only(o: Json, where: string, allowed: readonly string[]): void {
  for (const k of Object.keys(o))
    if (!allowed.includes(k))
      throw new UsageError(`${where}.${k}: unknown field (expected ${allowed.join(", ")})`);
}

function bytesField(v: unknown, where: string): Uint8Array {
  if (typeof v !== "string") throw new UsageError(`${where}: expected hex text`);
  return hex(v, where);
}

/** A u64 given as a decimal string or a JSON integer; anything else is left for the ledger's decoder to refuse. */
function amount(v: unknown, where: string): unknown {
  if (typeof v === "string") {
    if (!/^(0|[1-9][0-9]{0,19})$/.test(v)) throw new UsageError(`${where}: expected a decimal whole number`);
    return BigInt(v);
  }
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0 ? BigInt(v) : v;
}

/** `{scheme, root (hex), rowCount, indexedFields, verifyingKeys: [{queryKind, hash (hex)}]}`. */
export function commitmentFromJson(v: unknown, where: string): DatasetCommitment {
  const c = object(v, where);
  only(c, where, ["scheme", "root", "rowCount", "indexedFields", "verifyingKeys"]);
  const keys = c.verifyingKeys ?? [];
  if (!Array.isArray(keys)) throw new UsageError(`${where}.verifyingKeys: expected an array`);
  return {
    scheme: c.scheme,
    root: bytesField(c.root, `${where}.root`),
    rowCount: c.rowCount,
    indexedFields: c.indexedFields ?? [],
    verifyingKeys: keys.map((k, i) => {
      const at = `${where}.verifyingKeys[${i}]`;
      const key = object(k, at);
      only(key, at, ["queryKind", "hash"]);
      return { queryKind: key.queryKind, hash: bytesField(key.hash, `${at}.hash`) };
    }),
  } as DatasetCommitment;
}

const ENTRY_FIELDS = [
  "id",
  "title",
  "description",
  "fields",
  "region",
  "tags",
  "updateFrequency",
  "licence",
  "queryKinds",
  "price",
  "commitment",
];

/**
 * A catalog entry: `{id, title, description?, fields: [{name, type, indexed?, personal?}], region, tags?,
 * updateFrequency?, licence?, queryKinds, price?, commitment?}`.
 */
export function datasetEntryFromJson(v: unknown, where: string): TxPayloads["dataset.publish"] {
  const e = object(v, where);
  only(e, where, ENTRY_FIELDS);
  if (!Array.isArray(e.fields)) throw new UsageError(`${where}.fields: expected an array of field specs`);
  return {
    id: e.id,
    title: e.title,
    description: e.description ?? "",
    fields: fieldsFromJson(e.fields, `${where}.fields`),
    region: e.region,
    tags: e.tags ?? [],
    updateFrequency: e.updateFrequency ?? "irregular",
    licence: e.licence ?? "",
    queryKinds: e.queryKinds,
    price: amount(e.price ?? 0, `${where}.price`),
    commitment:
      e.commitment === undefined || e.commitment === null
        ? null
        : commitmentFromJson(e.commitment, `${where}.commitment`),
  } as TxPayloads["dataset.publish"];
}

/** `[{name, type, indexed?, personal?}]`, flags defaulting to false. */
export function fieldsFromJson(v: unknown, where: string): TxPayloads["dataset.publish"]["fields"] {
  if (!Array.isArray(v)) throw new UsageError(`${where}: expected an array of field specs`);
  return v.map((f, i) => {
    const at = `${where}[${i}]`;
    const spec = object(f, at);
    only(spec, at, ["name", "type", "indexed", "personal"]);
    return {
      name: spec.name,
      type: spec.type,
      indexed: spec.indexed ?? false,
      personal: spec.personal ?? false,
    };
  }) as TxPayloads["dataset.publish"]["fields"];
}

/**
 * A governance action: `{type: "validators.set", validators: [{agency, power}]}`, `{type: "params.set", params}`,
 * `{type: "agency.admit", agency: {id, name, region, publicKey (hex), keyScheme?, roles}}` or
 * `{type: "agency.roles", agency, roles}`.
 */
export function actionFromJson(v: unknown, where: string): GovernanceAction {
  const a = object(v, where);
  switch (a.type) {
    case "validators.set":
      only(a, where, ["type", "validators"]);
      return a as unknown as GovernanceAction;
    case "params.set":
      only(a, where, ["type", "params"]);
      return a as unknown as GovernanceAction;
    case "agency.roles":
      only(a, where, ["type", "agency", "roles"]);
      return a as unknown as GovernanceAction;
    case "agency.admit": {
      only(a, where, ["type", "agency"]);
      const agency = object(a.agency, `${where}.agency`);
      only(agency, `${where}.agency`, ["id", "name", "region", "publicKey", "keyScheme", "roles"]);
      return {
        type: "agency.admit",
        agency: {
          ...agency,
          publicKey: bytesField(agency.publicKey, `${where}.agency.publicKey`),
          keyScheme: agency.keyScheme ?? "ed25519",
        },
      } as GovernanceAction;
    }
    default:
      throw new UsageError(
        `${where}.type: expected one of validators.set, params.set, agency.admit, agency.roles`,
      );
  }
}
