import { type Command, flag, type OptionSpec, type OptionValues, str } from "./command.js";
import { type CommandResult, UsageError } from "./commands.js";
import { type Gateway, gatewayOf, graphql, QueryRefused } from "./gateway-client.js";
import {
  answerDocument,
  CATALOG_DOCUMENT,
  type CliQueryKind,
  documentsManifest,
  QUERY_KINDS,
} from "./query-documents.js";
import { RemoteError } from "./remote-api.js";
import { required } from "./tx-flags.js";

interface CatalogPage {
  catalog: {
    edges: { node: { datasetId: string; owner: { agencyId: string; region: { id: string } } } }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

/** The dataset's owner and the owner's region, from the catalog (the ledger's, as the local gateway sees it). */
async function locate(gw: Gateway, dataset: string, provider: string | undefined) {
  let after: string | null = null;
  do {
    const page = (await graphql(gw, CATALOG_DOCUMENT, { owner: provider ?? null, after })) as CatalogPage;
    const hit = page.catalog.edges.find((e) => e.node.datasetId === dataset);
    if (hit) return { provider: hit.node.owner.agencyId, region: hit.node.owner.region.id };
    after = page.catalog.pageInfo.hasNextPage ? page.catalog.pageInfo.endCursor : null;
  } while (after !== null);
  throw new QueryRefused(
    "UNKNOWN_DATASET",
    `the catalog holds no dataset ${dataset}${provider ? ` of ${provider}` : ""}`,
  );
}

/** Which flags each kind takes, and the variables they make. */
const KIND_FLAGS: Record<CliQueryKind, string[]> = {
  lookup: ["key", "fields"],
  threshold: ["key", "field", "op", "value", "upper"],
  membership: ["key"],
  count: ["field", "from", "to"],
  sum: ["field", "from", "to", "sum-field"],
};
const ALL_KIND_FLAGS = [...new Set(Object.values(KIND_FLAGS).flat())];
const OPS = ["gte", "lte", "eq", "range"];

function kindVariables(kind: CliQueryKind, v: OptionValues): Record<string, unknown> {
  for (const name of ALL_KIND_FLAGS)
    if (v[name] !== undefined && !KIND_FLAGS[kind].includes(name))
      throw new UsageError(
        `--${name} is not used by --kind ${kind} (it takes ${KIND_FLAGS[kind].map((f) => `--${f}`).join(", ")})`,
      );
  const need = (name: string, what: string) => required(v, name, `--kind ${kind} needs ${what}`);
  switch (kind) {
    case "lookup": {
      const fields = need("fields", "the fields to return, comma-separated")
        .split(",")
        .map((f) => f.trim());
      return { key: need("key", "the record's key"), fields: fields.filter((f) => f !== "") };
    }
    case "threshold": {
      const op = need("op", OPS.join(", ")).toLowerCase();
      if (!OPS.includes(op)) throw new UsageError(`--op must be one of ${OPS.join(", ")} (got "${op}")`);
      return {
        key: need("key", "the record's key"),
        field: need("field", "the field compared"),
        op: op.toUpperCase(),
        value: need("value", "the bound"),
        upper: str(v, "upper") ?? null,
      };
    }
    case "membership":
      return { key: need("key", "the key asked about") };
    case "count":
    case "sum":
      return {
        field: need("field", "the indexed field ranged over"),
        from: need("from", "the lower bound (inclusive)"),
        to: need("to", "the upper bound (inclusive)"),
        ...(kind === "sum" ? { sumField: need("sum-field", "the field summed") } : {}),
      };
  }
}

interface AnswerData {
  region: { agency: { dataset: { answer: Record<string, unknown> } | null } | null } | null;
}

interface Envelope {
  provider: string;
  dataset: string;
  proof: { system: string; verified: boolean; commitment: string; circuit: string } | null;
  receipt: { id: string };
}

function answerLines(kind: CliQueryKind, a: Record<string, unknown>): string[] {
  if (kind === "lookup") {
    const fields = (a.fields ?? []) as { name: string; value: string | null }[];
    return [`found ${a.found}`, ...fields.map((f) => `field ${f.name} ${f.value ?? "null"}`)];
  }
  const names = { threshold: ["holds"], membership: ["member"], count: ["count"], sum: ["count", "sum"] }[
    kind
  ];
  return names.map((n) => `${n} ${String(a[n])}`);
}

/**
 * `coken query`: asks a dataset of another agency through this agency's gateway (`/graphql`), which checks the
 * grant, signs the call, verifies the proof and records the receipt. Prints the answer, the proof's state and
 * the receipt id; a refusal prints its code and exits 1.
 */
export async function query(v: OptionValues): Promise<CommandResult> {
  const json = flag(v, "json");
  if (flag(v, "print-documents"))
    return { code: 0, out: `${JSON.stringify(documentsManifest(), null, 2)}\n` };
  const kindText = required(v, "kind", QUERY_KINDS.join(", "));
  if (!(QUERY_KINDS as readonly string[]).includes(kindText))
    throw new UsageError(`--kind must be one of ${QUERY_KINDS.join(", ")} (got "${kindText}")`);
  const kind = kindText as CliQueryKind;
  const dataset = required(v, "dataset", "the dataset id");
  const variables = kindVariables(kind, v);
  const gw = await gatewayOf(v);
  const fail = (code: string, message: string): CommandResult => ({
    code: 1,
    out: json ? `${JSON.stringify({ error: { code, message } })}\n` : `error ${code}: ${message}\n`,
  });
  try {
    let provider = str(v, "provider");
    let region = str(v, "region");
    if (provider === undefined || region === undefined) {
      const found = await locate(gw, dataset, provider);
      provider = found.provider;
      region ??= found.region;
    }
    const data = (await graphql(gw, answerDocument(kind), {
      region,
      provider,
      dataset,
      grant: str(v, "grant") ?? null,
      ...variables,
    })) as AnswerData;
    if (data.region === null) return fail("NOT_FOUND", `no region ${region}`);
    if (data.region.agency === null) return fail("NOT_FOUND", `no agency ${provider} in region ${region}`);
    if (data.region.agency.dataset === null)
      return fail("NOT_FOUND", `${provider} has no dataset ${dataset}`);
    const {
      provider: p,
      dataset: d,
      proof,
      receipt,
      ...answer
    } = data.region.agency.dataset.answer as unknown as Envelope & Record<string, unknown>;
    const verified = proof === null ? kind === "lookup" : proof.verified;
    const out = json
      ? `${JSON.stringify({ provider: p, dataset: d, region, kind, answer, proof, receipt: receipt.id })}\n`
      : `${[
          `provider ${p}`,
          `dataset ${d}`,
          `region ${region}`,
          `kind ${kind}`,
          ...answerLines(kind, answer),
          ...(proof === null
            ? ["proof none (a lookup reveals the owner's chosen fields and carries no proof)"]
            : [
                `proof ${proof.system} ${proof.verified ? "verified" : "NOT VERIFIED"}`,
                `commitment ${proof.commitment}`,
                `circuit ${proof.circuit}`,
              ]),
          `receipt ${receipt.id}`,
        ].join("\n")}\n`;
    return { code: verified ? 0 : 1, out };
  } catch (e) {
    if (e instanceof QueryRefused || e instanceof RemoteError) return fail(e.code, e.message);
    throw e;
  }
}

const text = (value: string, description: string): OptionSpec => ({ type: "string", value, description });

export const queryCommands: Command[] = [
  {
    words: ["query"],
    summary:
      "ask another agency's dataset through this agency's gateway; print the answer, proof and receipt",
    details:
      "The gateway checks the grant, signs the call, verifies the provider's proof against the commitment on\n" +
      "the ledger and records a co-signed access receipt. The provider and its region come from the catalog\n" +
      "unless given. Kinds and their flags:\n" +
      "  lookup      --key K --fields a,b            (no proof: the owner's chosen non-personal fields)\n" +
      "  threshold   --key K --field F --op gte|lte|eq|range --value V [--upper V]\n" +
      "  membership  --key K\n" +
      "  count       --field F --from A --to B       (F indexed; bounds inclusive)\n" +
      "  sum         --field F --from A --to B --sum-field S\n" +
      "Example: coken query --gateway http://127.0.0.1:8101 --dataset hn.land/properties --kind count \\\n" +
      "           --field owner --from P --to P --grant G\n" +
      "A production gateway runs trusted documents only: add `coken query --print-documents` to its manifest\n" +
      "and pass --trusted. Exit 0 with a verified answer; a refusal prints its code (e.g. GRANT_REQUIRED), exit 1.",
    options: {
      gateway: text("URL", "this agency's gateway, e.g. http://127.0.0.1:8443 (its /graphql)"),
      config: text("FILE", "this agency's peer config: the gateway address from its gateway section"),
      dataset: text("ID", "the dataset asked"),
      kind: text("KIND", QUERY_KINDS.join(", ")),
      provider: text("AGENCY", "the dataset's owner (default: from the catalog)"),
      region: text("REGION", "the owner's region (default: from the catalog)"),
      grant: text("ID", "the grant to use (default: the first active one held)"),
      key: text("KEY", "lookup, threshold, membership: the record's key"),
      fields: text("LIST", "lookup: fields to return, comma-separated"),
      field: text("NAME", "threshold, count, sum: the field compared or ranged over"),
      op: text("OP", "threshold: gte, lte, eq or range"),
      value: text("V", "threshold: the bound"),
      upper: text("V", "threshold with range: the upper bound"),
      from: text("V", "count, sum: lower bound (inclusive)"),
      to: text("V", "count, sum: upper bound (inclusive)"),
      "sum-field": text("NAME", "sum: the field summed"),
      trusted: {
        type: "boolean",
        description: "send document ids only (a production gateway's trusted documents)",
      },
      "print-documents": {
        type: "boolean",
        description: "print the documents this command sends, as a manifest",
      },
      json: { type: "boolean", description: "print one JSON object (for scripts)" },
    },
    run: ({ values }) => query(values),
  },
];
