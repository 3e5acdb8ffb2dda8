import { readFileSync, writeFileSync } from "node:fs";
import os from "node:os";

/** Machine line for benchmark reports. */
export function machine(): string {
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  return `${cpu}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.versions.node}, ${os.platform()} ${os.release()}`;
}

/** Replaces (or appends) the section between `<!-- bench:NAME -->` markers in docs/BENCHMARKS.md. */
export function writeSection(name: string, markdown: string): void {
  const url = new URL("../../../../docs/BENCHMARKS.md", import.meta.url);
  let doc: string;
  try {
    doc = readFileSync(url, "utf8");
  } catch {
    doc =
      "# Benchmarks\n\nWritten by `npm run bench`; each section records the machine and the date it ran.\n";
  }
  const start = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const block = `${start}\n${markdown.trim()}\n${end}`;
  const i = doc.indexOf(start);
  const j = doc.indexOf(end);
  doc =
    i !== -1 && j > i
      ? doc.slice(0, i) + block + doc.slice(j + end.length)
      : `${doc.trimEnd()}\n\n${block}\n`;
  writeFileSync(url, doc);
}
