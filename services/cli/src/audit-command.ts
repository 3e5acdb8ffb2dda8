import { createReadStream, createWriteStream } from "node:fs";
import { readFile, rename, writeFile } from "node:fs/promises";
import type { Checkpoint } from "@coken/auditor";
import type { Genesis } from "@coken/ledger";
import { type Command, flag, str } from "./command.js";
import { type CommandResult, UsageError } from "./commands.js";

async function genesisOf(file: string): Promise<{ genesis: Genesis; text: string }> {
  const { parseGenesis } = await import("@coken/ledger");
  const text = await readFile(file, "utf8");
  return { genesis: parseGenesis(JSON.parse(text)), text };
}

/** `[#####     ] height 120/400` on stderr, rewritten in place. */
function progressBar(total: number | null): (height: number) => void {
  let last = 0;
  return (height) => {
    const now = Date.now();
    if (now - last < 200) return;
    last = now;
    const share = total ? Math.min(1, height / total) : 0;
    const bar = total ? `[${"#".repeat(Math.round(share * 30)).padEnd(30)}] ` : "";
    process.stderr.write(`\r${bar}height ${height}${total ? `/${total}` : ""}`);
  };
}

async function writeArchive(source: import("@coken/auditor").ExportSource, out: string) {
  const { exportArchive } = await import("@coken/auditor");
  const tmp = `${out}.partial`;
  const stream = createWriteStream(tmp);
  const summary = await exportArchive(source, (bytes) =>
    stream.write(bytes) ? undefined : new Promise<void>((r) => stream.once("drain", () => r())),
  );
  await new Promise<void>((resolve, reject) => stream.end((e?: Error | null) => (e ? reject(e) : resolve())));
  await rename(tmp, out);
  return summary;
}

async function runAudit(values: Record<string, unknown>): Promise<CommandResult> {
  const auditor = await import("@coken/auditor");
  const { createVerifier } = await import("@coken/ledger");
  const s = (k: string) => str(values as never, k);
  let archive = s("archive");
  const api = s("api");
  const genesisFile = s("genesis");
  if ((archive === undefined) === (api === undefined))
    throw new UsageError("audit needs one of --archive FILE or --api URL");
  if (api !== undefined && genesisFile === undefined) throw new UsageError("audit --api needs --genesis");
  const given = genesisFile ? await genesisOf(genesisFile) : undefined;
  const showProgress = flag(values as never, "progress") || process.stderr.isTTY === true;
  let source: { kind: "archive" | "api"; name: string } = { kind: "archive", name: archive ?? "" };
  if (api !== undefined && given) {
    // A live peer is audited through an archive of what it serves, written next to the report.
    const { apiExportSource } = await import("./audit-source.js");
    archive = s("keep") ?? ".coken-audit.archive";
    await writeArchive(await apiExportSource(api.replace(/\/+$/, ""), given.genesis, given.text), archive);
    source = { kind: "api", name: api };
  }
  const file = archive as string;
  const checkpointFile = s("checkpoint");
  let resume: Checkpoint | undefined;
  if (checkpointFile) {
    try {
      resume = JSON.parse(await readFile(checkpointFile, "utf8")) as Checkpoint;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    }
  }
  const result = await auditor.auditArchive((offset) => createReadStream(file, { start: offset }), {
    verifier: createVerifier(),
    ...(given ? { genesis: given.genesis } : {}),
    requireProofs: flag(values as never, "require-proofs"),
    ...(showProgress ? { onBlock: progressBar(null) } : {}),
    ...(resume ? { resume } : {}),
    ...(checkpointFile
      ? {
          checkpoint: {
            every: 1000,
            save: async (cp: Checkpoint) => {
              await writeFile(`${checkpointFile}.tmp`, JSON.stringify(cp));
              await rename(`${checkpointFile}.tmp`, checkpointFile);
            },
          },
        }
      : {}),
  });
  if (showProgress) process.stderr.write("\n");
  const genesis = result.genesis ?? given?.genesis;
  if (!genesis) return { code: 1, out: "audit failed: the archive holds no genesis\n" };
  const report = auditor.buildReport(
    result.auditor,
    genesis,
    { ...source, digest: result.digest },
    new Date().toISOString(),
  );
  const json = s("report");
  const html = s("html");
  if (json) await writeFile(json, `${JSON.stringify(report, null, 2)}\n`);
  if (html) await writeFile(html, auditor.renderHtml(report));
  return { code: report.ok ? 0 : 1, out: auditor.reportSummary(report) };
}

export const auditCommands: Command[] = [
  {
    words: ["audit"],
    summary:
      "replay the ledger from genesis (an archive or a live peer) and check every block, signature, receipt and proof",
    details:
      "Independent of any peer's memory: blocks are re-executed with the pure ledger. Exit 0 only when everything checks; otherwise the first discrepancies with height, tx index and receipt id. Without --genesis the archive's own genesis is used and its hash is printed (compare it with the network's).",
    options: {
      archive: { type: "string", value: "FILE", description: "an archive written by coken export" },
      api: { type: "string", value: "URL", description: "or a live peer's operator API (needs --genesis)" },
      genesis: { type: "string", value: "FILE", description: "the genesis the auditor trusts" },
      report: { type: "string", value: "FILE", description: "write the JSON report here" },
      html: {
        type: "string",
        value: "FILE",
        description: "write the report as one self-contained HTML page",
      },
      checkpoint: {
        type: "string",
        value: "FILE",
        description: "resume from and save progress to this file (archives)",
      },
      keep: { type: "string", value: "FILE", description: "with --api: where the fetched archive is kept" },
      progress: {
        type: "boolean",
        description: "show a progress bar on stderr even when it is not a terminal",
      },
      "require-proofs": {
        type: "boolean",
        description: "a proved receipt without its stored proof is a discrepancy",
      },
    },
    run: ({ values }) => runAudit(values),
  },
  {
    words: ["audit", "diff"],
    args: "A B",
    summary: "compare two archives (e.g. two agencies' exports) and name the first divergence",
    options: {},
    async run({ positionals }) {
      const [a, b] = positionals;
      if (!a || !b) throw new UsageError("audit diff needs two archive files");
      const { diffArchives } = await import("@coken/auditor");
      const r = await diffArchives(createReadStream(a), createReadStream(b));
      const heights = `heights ${r.heights[0]} / ${r.heights[1]}`;
      if (r.divergence === null)
        return { code: 0, out: `no divergence (${heights}; the shorter is a prefix)\n` };
      const d = r.divergence;
      return {
        code: 1,
        out: `first divergence at frame ${d.frame}${d.height !== null ? ` (height ${d.height})` : ""}: ${d.what}\n${heights}\n`,
      };
    },
  },
  {
    words: ["export"],
    summary:
      "write a self-contained, hash-chained archive of a peer's chain, proofs and keys (docs/spec/archive.md)",
    options: {
      api: { type: "string", value: "URL", description: "the peer's operator API", required: true },
      genesis: { type: "string", value: "FILE", description: "the network's genesis file", required: true },
      out: { type: "string", value: "FILE", description: "the archive to write", required: true },
    },
    async run({ values }) {
      const api = str(values, "api");
      const genesisFile = str(values, "genesis");
      const out = str(values, "out");
      if (!api || !genesisFile || !out) throw new UsageError("export needs --api, --genesis and --out");
      const given = await genesisOf(genesisFile);
      const { apiExportSource } = await import("./audit-source.js");
      const s = await writeArchive(
        await apiExportSource(api.replace(/\/+$/, ""), given.genesis, given.text),
        out,
      );
      return {
        code: 0,
        out: `archive ${out}\nheight ${s.height}\nproofs ${s.proofs} (missing ${s.missingProofs})\nkeys ${s.keys}\ndigest ${s.digest}\n`,
      };
    },
  },
];
