import { machine, writeSection as writeBenchSection } from "@coken/ledger/bench-report";

export interface BenchResult {
  label: string;
  receipts: number;
  seconds: number;
}

export const rate = (r: BenchResult): number => r.receipts / r.seconds;

export { machine };

/** Replaces this benchmark's section of docs/BENCHMARKS.md, leaving the rest alone. */
export function writeSection(
  results: BenchResult[],
  blocks: number,
  perBlock: number,
  baseline: BenchResult,
): void {
  const rows = results.map(
    (r) =>
      `| ${r.label} | ${r.seconds.toFixed(2)} | ${Math.round(rate(r)).toLocaleString("en-US")} | ${(rate(r) / rate(baseline)).toFixed(2)}× |`,
  );
  writeBenchSection(
    "store",
    [
      "## Store: receipt inserts",
      "",
      `${blocks} blocks × ${perBlock.toLocaleString("en-US")} receipts, each block committed with \`LedgerRepository.commitBlock\` ` +
        "(one database transaction per block: block row, receipts in multi-row inserts, state height). " +
        "Every backend starts from an empty, migrated database. Produced by `npm run bench`.",
      "",
      `Machine: ${machine()}. Date: ${new Date().toISOString().slice(0, 10)}.`,
      "",
      `| Backend | Seconds | Receipts/s | Relative to ${baseline.label} |`,
      "| --- | ---: | ---: | ---: |",
      ...rows,
    ].join("\n"),
  );
}
