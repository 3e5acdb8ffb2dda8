import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

export interface BenchResult {
  label: string;
  receipts: number;
  seconds: number;
}

const START = "<!-- bench:store -->";
const END = "<!-- /bench:store -->";
// This module runs from services/store/dist/bench/.
const benchmarksFile = fileURLToPath(new URL("../../../../docs/BENCHMARKS.md", import.meta.url));

export const rate = (r: BenchResult): number => r.receipts / r.seconds;

export function machine(): string {
  const cpu = os.cpus()[0]?.model.trim() ?? "unknown CPU";
  const memGiB = (os.totalmem() / 2 ** 30).toFixed(1);
  return `${cpu}, ${os.availableParallelism()} cores, ${memGiB} GiB RAM, Node ${process.version}, ${os.platform()} ${os.release()}`;
}

function section(results: BenchResult[], blocks: number, perBlock: number, baseline: BenchResult): string {
  const rows = results.map(
    (r) =>
      `| ${r.label} | ${r.seconds.toFixed(2)} | ${Math.round(rate(r)).toLocaleString("en-US")} | ${(rate(r) / rate(baseline)).toFixed(2)}× |`,
  );
  return [
    START,
    "## Store: receipt inserts",
    "",
    `${blocks} blocks × ${perBlock.toLocaleString("en-US")} receipts, each block committed with \`LedgerRepository.commitBlock\` ` +
      "(one database transaction per block: block row, receipts in multi-row inserts, state height). " +
      "Every backend starts from an empty, migrated database. Produced by `npm run bench`.",
    "",
    `Machine: ${machine()}. Date: ${new Date().toISOString()}.`,
    "",
    `| Backend | Seconds | Receipts/s | Relative to ${baseline.label} |`,
    "| --- | ---: | ---: | ---: |",
    ...rows,
    END,
  ].join("\n");
}

/** Replaces this benchmark's section of docs/BENCHMARKS.md (between its markers), leaving the rest alone. */
export async function writeSection(
  results: BenchResult[],
  blocks: number,
  perBlock: number,
  baseline: BenchResult,
) {
  const text = section(results, blocks, perBlock, baseline);
  const current = existsSync(benchmarksFile) ? await readFile(benchmarksFile, "utf8") : "# Benchmarks\n";
  const start = current.indexOf(START);
  const end = current.indexOf(END);
  const updated =
    start >= 0 && end > start
      ? current.slice(0, start) + text + current.slice(end + END.length)
      : `${current.trimEnd()}\n\n${text}\n`;
  await mkdir(dirname(benchmarksFile), { recursive: true });
  await writeFile(benchmarksFile, updated);
  return benchmarksFile;
}
