import { join } from "node:path";
import { loadKeystore } from "@coken/keystore";
import { createHasher, derivedId, type Signer } from "@coken/ledger";
import { apiGet, DevnetError, type Endpoints, graphqlData, submitAndWait, until } from "./client.js";
import { type DevnetManifest, grantKey, readSecret, writeManifest } from "./layout.js";
import { DATASETS, type DatasetPlan, GRANTS, strictEvidence } from "./scenario.js";
import { seedRows } from "./seed.js";

/** Where a devnet agency is reached, from the manifest. */
export function endpointsOf(m: DevnetManifest, agency: string): Endpoints {
  const a = m.agencies.find((x) => x.id === agency);
  if (a === undefined) throw new DevnetError("UNKNOWN_AGENCY", `${agency} is not in this devnet`);
  return { agency, api: `http://127.0.0.1:${a.apiPort}`, gateway: `http://127.0.0.1:${a.gatewayPort}` };
}

export async function signerOf(dir: string, m: DevnetManifest, agency: string): Promise<Signer> {
  const a = m.agencies.find((x) => x.id === agency);
  if (a === undefined) throw new DevnetError("UNKNOWN_AGENCY", `${agency} is not in this devnet`);
  return (await loadKeystore(join(dir, a.keystore), await readSecret(dir, "passphrase"))).signer;
}

const ROW_BATCH = 5000;

/** A proved dataset as the owner's `GET /v1/datasets` shows it (services/peer ProvedDatasetStatus). */
export interface ProvedStatus {
  dataset: string;
  state: string;
  version: number | null;
  code?: string;
  evidence?: {
    state: "proved" | "proving" | "none" | "failed";
    chunks?: number;
    done?: number;
    code?: string;
  };
}

/** Where an owner's proved dataset stays until its commitment or rows change. */
const SETTLED = ["proving", "no-evidence", "failed", "root-mismatch", "keys-mismatch"];

/** An owner's evidence status, for people: "proved: 16 chunks", "proving: 3/16", "off", "failed: CODE". */
export function evidenceText(e: ProvedStatus["evidence"]): string {
  if (e === undefined) return "not yet";
  if (e.state === "proved") return `proved: ${e.chunks ?? 0} chunks`;
  if (e.state === "proving") return `proving: ${e.done ?? 0}/${e.chunks ?? "?"}`;
  if (e.state === "failed") return `failed: ${e.code ?? "?"}`;
  return "off";
}

function applied(what: string, r: { resultCode: string | null }) {
  if (r.resultCode !== null) throw new DevnetError(r.resultCode, `${what} was refused by the ledger`);
}

interface LedgerDataset {
  commitment: { rowCount: number; version: number } | null;
}

async function ledgerDataset(at: Endpoints, owner: string, id: string): Promise<LedgerDataset | null> {
  const d = await graphqlData(
    at.gateway,
    `query($o: String!) { catalog(first: 50, filter: { owner: $o }) { edges { node { datasetId owner { agencyId }
       commitment { rowCount version } } } } }`,
    { o: owner },
  );
  const hit = (
    d.catalog.edges as {
      node: { datasetId: string; owner: { agencyId: string }; commitment: LedgerDataset["commitment"] };
    }[]
  )
    .map((e) => e.node)
    .find((n) => n.datasetId === id && n.owner.agencyId === owner);
  return hit === undefined ? null : { commitment: hit.commitment };
}

/** Sends the dataset's seed rows to its owner's store through the operator API, in batches stored whole. */
async function importRows(at: Endpoints, token: string, d: DatasetPlan, size: DevnetManifest["size"]) {
  const rows = seedRows(d.id, size);
  for (let i = 0; i < rows.length; i += ROW_BATCH) {
    const body = `${rows
      .slice(i, i + ROW_BATCH)
      .map((r) => JSON.stringify(r))
      .join("\n")}\n`;
    const res = await fetch(`${at.api}/v1/datasets/${encodeURIComponent(d.id)}/rows`, {
      method: "PUT",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/x-ndjson" },
      body,
    });
    if (!res.ok) {
      const e = ((await res.json()) as { error?: { code: string; message?: string } }).error;
      throw new DevnetError(e?.code ?? "BAD_ROWS", `rows of ${d.id}: ${e?.message ?? res.status}`);
    }
  }
  return rows.length;
}

export interface SeedReport {
  step(text: string): void;
}

/**
 * Brings the devnet's ledger and stores to the scenario: datasets published, rows imported, commitments on the
 * ledger and proved over, grants issued. Each step first looks at the ledger, so an interrupted seeding resumes
 * where it stopped; the manifest records `seeded` at the end.
 */
export async function seedDevnet(
  dir: string,
  m: DevnetManifest,
  report: SeedReport,
): Promise<DevnetManifest> {
  const token = await readSecret(dir, "operator.token");
  const hasher = createHasher("sha256");
  await Promise.all(
    DATASETS.map(async (d) => {
      const at = endpointsOf(m, d.owner);
      const signer = await signerOf(dir, m, d.owner);
      let onLedger = await ledgerDataset(at, d.owner, d.id);
      if (onLedger === null) {
        const { indexes: _indexes, rows: _rows, owner: _owner, ...entry } = d;
        const r = await submitAndWait(at, m.chainId, signer, "dataset.publish", {
          ...entry,
          updateFrequency: "daily",
          licence: "government use within the exchange",
          commitment: null,
        });
        applied(`dataset.publish ${d.id}`, r);
        report.step(`${d.owner}: published ${d.id}`);
        onLedger = { commitment: null };
      }
      const expected = seedRows(d.id, m.size).length;
      if (onLedger.commitment?.rowCount !== expected) {
        const n = await importRows(at, token, d, m.size);
        report.step(`${d.owner}: imported ${n} rows into ${d.id}`);
        const res = await fetch(`${at.api}/v1/datasets/${encodeURIComponent(d.id)}/commit`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}` },
        });
        const out = (await res.json()) as { root?: string; error?: { code: string; message?: string } };
        if (!res.ok || out.root === undefined)
          throw new DevnetError(
            out.error?.code ?? "COMMIT",
            `commit of ${d.id}: ${out.error?.message ?? res.status}`,
          );
        await until(
          `the commitment of ${d.id} on the ledger`,
          () => ledgerDataset(at, d.owner, d.id),
          (x) => x?.commitment?.rowCount === expected,
          120_000,
        );
        report.step(`${d.owner}: committed ${d.id} (root ${out.root.slice(0, 16)}…, ${expected} rows)`);
      }
      // Strict (small size): the owner proves over its dataset only once its well-formedness evidence is proved.
      const version = (await ledgerDataset(at, d.owner, d.id))?.commitment?.version;
      const settled = await until(
        `${d.owner} to prove over ${d.id}`,
        async () =>
          (await apiGet<{ proved: ProvedStatus[] }>(at.api, "/v1/datasets"))?.proved.find(
            (p) => p.dataset === d.id,
          ),
        (p) => p?.version === version && SETTLED.includes(p?.state ?? ""),
        strictEvidence(m.size) ? 900_000 : 300_000,
        500,
      );
      if (settled?.state !== "proving")
        throw new DevnetError(
          settled?.code ?? settled?.evidence?.code ?? "NOT_PROVING",
          `${d.owner} does not prove over ${d.id}: ${settled?.state} (evidence ${evidenceText(settled?.evidence)})`,
        );
      report.step(
        `${d.owner}: proving over ${d.id} (well-formedness evidence: ${evidenceText(settled.evidence)})`,
      );
    }),
  );
  const grants: Record<string, string> = { ...m.grants };
  // Grants of one grantor in turn (each takes the grantor's next sequence number).
  for (const g of GRANTS) {
    const key = grantKey(g.dataset, g.grantee);
    const owner = DATASETS.find((d) => d.id === g.dataset)?.owner as string;
    const at = endpointsOf(m, owner);
    const issued = await activeGrant(at, g.dataset, g.grantee);
    if (issued !== null) {
      grants[key] = issued;
      continue;
    }
    const r = await submitAndWait(at, m.chainId, await signerOf(dir, m, owner), "grant.issue", {
      ...g,
      expiresAt: Date.now() + 365 * 86_400_000,
    });
    applied(`grant.issue ${key}`, r);
    grants[key] = derivedId(hasher, "grant", owner, r.seq);
    report.step(`${owner}: granted ${g.grantee} ${g.queryKinds.join("/")} on ${g.dataset}`);
    await writeManifest(dir, { ...m, grants });
  }
  const seeded = { ...m, grants, seeded: true };
  await writeManifest(dir, seeded);
  return seeded;
}

/** Rows the devnet holds in all, at its size (for the ready table). */
export const totalRows = (m: DevnetManifest) =>
  DATASETS.reduce((n, d) => n + seedRows(d.id, m.size).length, 0);

/** The id of an active grant on `dataset` to `grantee` that the owner issued, if the ledger has one. */
async function activeGrant(at: Endpoints, dataset: string, grantee: string): Promise<string | null> {
  const d = await graphqlData(
    at.gateway,
    "{ grants(role: ISSUED, activeOnly: true, first: 100) { edges { node { grantId datasetId grantee } } } }",
  );
  const hit = (d.grants.edges as { node: { grantId: string; datasetId: string; grantee: string } }[]).find(
    (e) => e.node.datasetId === dataset && e.node.grantee === grantee,
  );
  return hit?.node.grantId ?? null;
}
