import { writeFileSync } from "node:fs";
import { buildGoldenChain } from "./build.js";
import { buildRefusalVectors } from "./refusals.js";

// Regenerates the golden vectors: run only when the ledger format changes on purpose, and review the diff.
const write = (name: string, value: unknown) => {
  const url = new URL(`../../../test/vectors/${name}`, import.meta.url);
  writeFileSync(url, `${JSON.stringify(value, null, 2)}\n`);
  process.stdout.write(`wrote ${url.pathname}\n`);
};
for (const alg of ["sha256", "sm3"] as const) write(`chain-${alg}.json`, buildGoldenChain(alg));
write("commit-refusals.json", buildRefusalVectors(buildGoldenChain("sha256")));
