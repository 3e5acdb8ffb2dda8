import { endpointsOf, evidenceText, type ProvedStatus } from "./bootstrap.js";
import { apiGet, graphqlData } from "./client.js";
import type { DemoStep } from "./demo.js";
import type { DevnetManifest } from "./layout.js";
import { DATASETS, EVIDENCE_MAX_ROWS, strictEvidence } from "./scenario.js";
import { formatTable } from "./table.js";

// The demo's evidence step: each owner's well-formedness evidence of its commitment in force (its peer's
// `GET /v1/datasets`), and the records the askers of the demo's proved calls verified of it (theirs).

/** A proved query the demo asked through `asker`'s gateway. */
export interface ProvedCall {
  asker: string;
  provider: string;
  dataset: string;
}

/** A commitment whose evidence an asker verified (`verified` of its peer's `GET /v1/datasets`). */
interface VerifiedRecord {
  provider: string;
  dataset: string;
  root: string;
  rowCount: number;
  chunks: number;
  circuit: string;
  verifiedAt: number;
}

interface DatasetsView {
  proved: ProvedStatus[];
  verified: VerifiedRecord[];
  refused: { provider: string; dataset: string; code: string; at: number }[];
}

interface AskerOutcome {
  asker: string;
  /** The record of the commitment in force, if the asker verified its evidence. */
  record: VerifiedRecord | null;
  /** The asker's latest refusal of that dataset's evidence, if any. */
  refused: string | null;
}

/** The commitment root (hex) in force for each dataset, from the ledger as `at`'s gateway reads it. */
async function rootsInForce(gateway: string): Promise<Map<string, string>> {
  const d = await graphqlData(
    gateway,
    "{ catalog(first: 50) { edges { node { datasetId commitment { root } } } } }",
  );
  const edges = d.catalog.edges as { node: { datasetId: string; commitment: { root: string } | null } }[];
  return new Map(edges.map((e) => [e.node.datasetId, (e.node.commitment?.root ?? "").toLowerCase()]));
}

const askerText = (a: AskerOutcome) =>
  a.record !== null
    ? `${a.asker} verified (${a.record.rowCount} rows, ${a.record.chunks} chunks)`
    : `${a.asker} has no record${a.refused === null ? "" : ` (${a.refused})`}`;

/**
 * One line per dataset: the owner's evidence (proved: N chunks / proving: done/chunks / off / failed) and the
 * askers' verified records. Fails when an owner's evidence failed, or when an asker of a proved call has no
 * verified record of the commitment in force although the devnet is strict or the owner's evidence is proved.
 */
export async function evidenceStep(m: DevnetManifest, calls: readonly ProvedCall[]): Promise<DemoStep> {
  const strict = strictEvidence(m.size);
  const title = "Well-formedness evidence: each owner proves its commitment, the askers verify it";
  const views = new Map<string, DatasetsView | null>();
  const view = async (agency: string) => {
    if (!views.has(agency))
      views.set(agency, await apiGet<DatasetsView>(endpointsOf(m, agency).api, "/v1/datasets"));
    return views.get(agency) ?? null;
  };
  const roots = await rootsInForce(endpointsOf(m, DATASETS[0]?.owner ?? "").gateway);
  const rows: string[][] = [];
  const problems: string[] = [];
  const data = [];
  for (const d of DATASETS) {
    const root = roots.get(d.id) ?? "";
    const evidence = (await view(d.owner))?.proved.find((p) => p.dataset === d.id)?.evidence;
    const askers: AskerOutcome[] = [];
    for (const asker of new Set(calls.filter((c) => c.dataset === d.id).map((c) => c.asker))) {
      const seen = await view(asker);
      const record =
        seen?.verified.find((v) => v.dataset === d.id && v.provider === d.owner && v.root === root) ?? null;
      const refused = seen?.refused.filter((r) => r.dataset === d.id).at(-1)?.code ?? null;
      askers.push({ asker, record, refused });
      if (record === null && (strict || evidence?.state === "proved"))
        problems.push(`${asker} has no verified record of ${d.id}`);
    }
    if (evidence?.state === "failed") problems.push(`${d.owner}'s evidence of ${d.id} failed`);
    rows.push([
      d.id,
      evidenceText(evidence),
      askers.length === 0 ? "not asked by the demo" : askers.map(askerText).join("; "),
    ]);
    data.push({ dataset: d.id, owner: d.owner, root, evidence: evidence ?? null, askers });
  }
  const expected = strict
    ? "strict: proved answers only over commitments whose evidence the asker verified"
    : `development keys: answers served at once; evidence proved for datasets of at most ${EVIDENCE_MAX_ROWS.toLocaleString("en")} rows`;
  return {
    title,
    ok: problems.length === 0,
    detail: `${expected}${problems.length === 0 ? "" : `; ${problems.join("; ")}`}\n${formatTable(["dataset", "owner's evidence", "askers of the demo"], rows)}`,
    data: { strict, datasets: data },
  };
}
