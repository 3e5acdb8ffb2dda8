import { createHash } from "node:crypto";

// The GraphQL documents `coken query` sends to the officials' /graphql. They are fixed texts with variables, so a
// production gateway can list them among its trusted documents (`coken query --print-documents` prints them as a
// manifest) and the CLI can then send only their ids (`--trusted`).

export const QUERY_KINDS = ["lookup", "threshold", "membership", "count", "sum"] as const;
export type CliQueryKind = (typeof QUERY_KINDS)[number];

const ENVELOPE = "provider dataset proof { system verified commitment circuit } receipt { id }";

const ANSWERS: Record<CliQueryKind, { args: string; call: string; fields: string }> = {
  lookup: {
    args: "$key: String!, $fields: [String!]!",
    call: "lookup(key: $key, fields: $fields, grant: $grant)",
    fields: "found fields { name value }",
  },
  threshold: {
    args: "$key: String!, $field: String!, $op: Comparison!, $value: String!, $upper: String",
    call: "threshold(key: $key, field: $field, op: $op, value: $value, upper: $upper, grant: $grant)",
    fields: "holds",
  },
  membership: { args: "$key: String!", call: "membership(key: $key, grant: $grant)", fields: "member" },
  count: {
    args: "$field: String!, $from: String!, $to: String!",
    call: "count(field: $field, from: $from, to: $to, grant: $grant)",
    fields: "count",
  },
  sum: {
    args: "$field: String!, $from: String!, $to: String!, $sumField: String!",
    call: "sum(field: $field, from: $from, to: $to, sumField: $sumField, grant: $grant)",
    fields: "count sum",
  },
};

/** The document asking `kind` of a dataset, reached through its provider's region. */
export function answerDocument(kind: CliQueryKind): string {
  const a = ANSWERS[kind];
  return (
    `query CokenCli_${kind}($region: ID!, $provider: ID!, $dataset: ID!, ${a.args}, $grant: ID) ` +
    "{ region(id: $region) { agency(id: $provider) { dataset(id: $dataset) " +
    `{ answer: ${a.call} { ${a.fields} ${ENVELOPE} } } } } }`
  );
}

/** Finds a dataset's owner and the owner's region in the catalog, a page at a time. */
export const CATALOG_DOCUMENT =
  "query CokenCli_catalog($owner: String, $after: String) " +
  "{ catalog(filter: { owner: $owner }, first: 100, after: $after) " +
  "{ edges { node { datasetId owner { agencyId region { id } } } } pageInfo { hasNextPage endCursor } } }";

/** A trusted document's id: the SHA-256 of its text (what the gateway's manifest keys it by). */
export function documentId(document: string): string {
  return createHash("sha256").update(document).digest("hex");
}

/** Every document the CLI may send, as a trusted-documents manifest `{"<sha256>": "<document>"}`. */
export function documentsManifest(): Record<string, string> {
  const documents = [CATALOG_DOCUMENT, ...QUERY_KINDS.map(answerDocument)];
  return Object.fromEntries(documents.map((d) => [documentId(d), d]));
}
