import { writeFileSync } from "node:fs";
import { buildGoldenChain } from "./build.js";

// Regenerates the golden vectors: run only when the ledger format changes on purpose, and review the diff.
for (const alg of ["sha256", "sm3"] as const) {
  const url = new URL(`../../../test/vectors/chain-${alg}.json`, import.meta.url);
  writeFileSync(url, `${JSON.stringify(buildGoldenChain(alg), null, 2)}\n`);
  process.stdout.write(`wrote ${url.pathname}\n`);
}
