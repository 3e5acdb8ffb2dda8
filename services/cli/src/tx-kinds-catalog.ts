import { derivedId, type TxPayloads, UPDATE_FREQUENCIES } from "@coken/ledger";
import { type OptionValues, str } from "./command.js";
import { UsageError } from "./commands.js";
import {
  duration,
  exclusive,
  fieldSpec,
  instant,
  jsonFile,
  list,
  many,
  oneOf,
  queryKinds,
  required,
  u64,
  uint,
} from "./tx-flags.js";
import { commitmentFromJson, datasetEntryFromJson, fieldsFromJson } from "./tx-json.js";
import { REASON, type TxSpec } from "./tx-spec.js";

const ENTRY_FLAGS = [
  "id",
  "title",
  "description",
  "field",
  "fields-file",
  "region",
  "tag",
  "update-frequency",
  "licence",
  "query-kinds",
  "price",
  "commitment-file",
];

async function publishPayload(v: OptionValues): Promise<TxPayloads["dataset.publish"]> {
  exclusive(v, "file", ENTRY_FLAGS);
  const file = str(v, "file");
  if (file !== undefined) return datasetEntryFromJson(await jsonFile(file, "file"), file);
  const fieldFlags = many(v, "field");
  const fieldsFile = str(v, "fields-file");
  if (fieldFlags.length > 0 && fieldsFile !== undefined)
    throw new UsageError("give the fields with --field (repeatable) or with --fields-file, not both");
  if (fieldFlags.length === 0 && fieldsFile === undefined)
    throw new UsageError(
      "the dataset needs fields: --field NAME:TYPE[:indexed][:personal] or --fields-file FILE",
    );
  const commitmentFile = str(v, "commitment-file");
  return {
    id: required(v, "id", "the dataset id, e.g. sh.land/parcels"),
    title: required(v, "title", "a title for the catalog"),
    description: str(v, "description") ?? "",
    fields:
      fieldsFile === undefined
        ? fieldFlags.map((f) => fieldSpec(f))
        : fieldsFromJson(await jsonFile(fieldsFile, "fields-file"), fieldsFile),
    region: required(v, "region", "the region the data covers, e.g. CN-SH"),
    tags: many(v, "tag"),
    updateFrequency: oneOf(str(v, "update-frequency") ?? "irregular", "update-frequency", UPDATE_FREQUENCIES),
    licence: str(v, "licence") ?? "",
    queryKinds: queryKinds(required(v, "query-kinds", "e.g. lookup,count"), "query-kinds"),
    price: u64(str(v, "price") ?? "0", "price"),
    commitment:
      commitmentFile === undefined
        ? null
        : commitmentFromJson(await jsonFile(commitmentFile, "commitment-file"), commitmentFile),
  };
}

async function commitPayload(v: OptionValues): Promise<TxPayloads["dataset.commit"]> {
  const file = required(v, "file", "a JSON commitment");
  const doc = await jsonFile(file, "file");
  const whole = typeof doc === "object" && doc !== null && "commitment" in doc;
  if (whole) {
    const { dataset, commitment, ...rest } = doc as Record<string, unknown>;
    const extra = Object.keys(rest);
    if (extra.length > 0)
      throw new UsageError(`${file}: unknown field ${extra[0]} (expected dataset, commitment)`);
    const id = str(v, "dataset") ?? dataset;
    if (typeof id !== "string")
      throw new UsageError(`name the dataset: --dataset ID or "dataset" in ${file}`);
    return { dataset: id, commitment: commitmentFromJson(commitment, `${file}.commitment`) };
  }
  return {
    dataset: required(v, "dataset", "the dataset the commitment is for"),
    commitment: commitmentFromJson(doc, file),
  };
}

function expiresAt(v: OptionValues): number {
  const at = str(v, "expires-at");
  const validFor = str(v, "valid-for");
  if ((at === undefined) === (validFor === undefined))
    throw new UsageError("give the grant's end: --expires-at TIME or --valid-for DURATION (one of them)");
  return at !== undefined
    ? instant(at, "expires-at")
    : Date.now() + duration(validFor as string, "valid-for");
}

/** dataset.publish, dataset.commit, grant.issue and grant.revoke. */
export const catalogSpecs: TxSpec[] = [
  {
    name: "dataset-publish",
    kind: "dataset.publish",
    summary: "add a dataset this agency owns to the catalog (dataset.publish)",
    details:
      "The entry comes from flags or whole from --file ENTRY.json ({id, title, description, fields: [{name, type,\n" +
      "indexed, personal}], region, tags, updateFrequency, licence, queryKinds, price, commitment}; bytes as hex,\n" +
      "price as a decimal string). Field types: string, int, decimal, date, bool, bytes. Example:\n" +
      "  coken tx dataset-publish --id sh.land/parcels --title Parcels --region CN-SH \\\n" +
      "    --field owner:string:personal --field area:int:indexed --query-kinds lookup,count --price 2",
    options: {
      file: { type: "string", value: "ENTRY.json", description: "the whole catalog entry as JSON" },
      id: { type: "string", value: "ID", description: "the dataset id, e.g. sh.land/parcels" },
      title: { type: "string", value: "TEXT", description: "title shown in the catalog" },
      description: { type: "string", value: "TEXT", description: "longer description (default empty)" },
      field: {
        type: "string",
        value: "NAME:TYPE[:indexed][:personal]",
        description: "one column, in order",
        multiple: true,
      },
      "fields-file": { type: "string", value: "FILE", description: "the columns as a JSON array instead" },
      region: { type: "string", value: "REGION", description: "the region the data covers, e.g. CN-SH" },
      tag: { type: "string", value: "TAG", description: "a catalog tag", multiple: true },
      "update-frequency": {
        type: "string",
        value: "F",
        description: `${UPDATE_FREQUENCIES.join(", ")} (default irregular)`,
      },
      licence: { type: "string", value: "TEXT", description: "terms of use (default empty)" },
      "query-kinds": {
        type: "string",
        value: "LIST",
        description: "kinds askers may be granted, e.g. lookup,count,sum",
      },
      price: { type: "string", value: "N", description: "credits per answered access (default 0)" },
      "commitment-file": {
        type: "string",
        value: "FILE",
        description: "a first commitment (JSON); default none",
      },
    },
    async build(v) {
      const payload = await publishPayload(v);
      return { kind: "dataset.publish", payload, derived: () => ({ dataset: String(payload.id) }) };
    },
  },
  {
    name: "dataset-commit",
    kind: "dataset.commit",
    summary: "replace a dataset's commitment with one from a JSON file (dataset.commit)",
    details:
      "Usually the peer builds and submits the commitment from its stored rows: `coken dataset commit`. This\n" +
      "command submits one made elsewhere: --file holds {dataset, commitment} or the commitment alone\n" +
      "({scheme, root, rowCount, indexedFields, verifyingKeys: [{queryKind, hash}]}, bytes as hex) with --dataset.",
    options: {
      file: { type: "string", value: "COMMITMENT.json", description: "the commitment", required: true },
      dataset: { type: "string", value: "ID", description: "the dataset (when the file does not name it)" },
    },
    build: async (v) => ({ kind: "dataset.commit", payload: await commitPayload(v) }),
  },
  {
    name: "grant-issue",
    kind: "grant.issue",
    summary: "let another agency ask given query kinds of one of this agency's datasets (grant.issue)",
    details: "Prints the grant id (derived from this agency and the tx's sequence number).",
    options: {
      dataset: { type: "string", value: "ID", description: "the dataset", required: true },
      grantee: { type: "string", value: "AGENCY", description: "the agency that may ask", required: true },
      "query-kinds": { type: "string", value: "LIST", description: "e.g. lookup,count", required: true },
      fields: { type: "string", value: "LIST", description: "fields it may see or use (default: no limit)" },
      purpose: { type: "string", value: "TEXT", description: "the stated purpose", required: true },
      quota: { type: "string", value: "N", description: "how many answered accesses", required: true },
      "expires-at": { type: "string", value: "TIME", description: "ISO 8601 time or epoch milliseconds" },
      "valid-for": {
        type: "string",
        value: "DURATION",
        description: "or a duration from now: 30d, 12h, 90m",
      },
    },
    build: (v) => ({
      kind: "grant.issue",
      payload: {
        dataset: required(v, "dataset", "the dataset id"),
        grantee: required(v, "grantee", "the agency that may ask"),
        queryKinds: queryKinds(required(v, "query-kinds", "e.g. lookup,count"), "query-kinds"),
        fields: list(str(v, "fields") ?? ""),
        purpose: required(v, "purpose", "the stated purpose"),
        quota: uint(required(v, "quota", "a number of accesses"), "quota"),
        expiresAt: expiresAt(v),
      },
      derived: (t, seq) => ({ grant: derivedId(t.hasher, "grant", t.agency, seq) }),
    }),
  },
  {
    name: "grant-revoke",
    kind: "grant.revoke",
    summary: "end a grant this agency issued (grant.revoke)",
    options: {
      grant: { type: "string", value: "ID", description: "the grant id (32 hex characters)", required: true },
      reason: REASON,
    },
    build: (v) => ({
      kind: "grant.revoke",
      payload: { grant: required(v, "grant", "the grant id"), reason: required(v, "reason", "why") },
    }),
  },
];
