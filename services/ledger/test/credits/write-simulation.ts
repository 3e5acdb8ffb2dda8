import { writeFileSync } from "node:fs";
import { SIM_PARAMS, simulateAll, simulationMarkdown } from "./simulation.js";

/** Writes docs/credits-simulation.md: `node services/ledger/dist/test/credits/write-simulation.js [out]`. */
const out = process.argv[2] ?? "docs/credits-simulation.md";
const rows = simulateAll(1);
const doc = `# 共票 credits — adversarial simulation

Written by \`services/ledger/test/credits/write-simulation.ts\` (run
\`node services/ledger/dist/test/credits/write-simulation.js\`); \`simulation.test.ts\` asserts the bound. Each row
is one in-process run of the real ledger (signed txs, blocks, end-of-block and epoch rules; no network), seed 1:
an honest provider (price 10, five consumers with 20–60 queries each) beside one gaming strategy, settled at the
end of one epoch. "Net" is the coalition's balance change: fee shares and rewards received minus fees paid.
Rules: docs/spec/credits.md.

Parameters: ${Object.entries(SIM_PARAMS)
  .map(([k, v]) => `\`${k}\` ${v}`)
  .join(", ")}.

${simulationMarkdown(rows)}
Bound asserted: each strategy's net ≤ 5 % of the honest provider's reward in the same run. Every strategy loses
credits: a wash receipt pays its price, gets back the provider's share, and earns a reward of at most half of the
share burned (\`rewardCapBps\` 5000 of \`feeBurnBps\` 2000), so each receipt costs the coalition at least
${"`price × feeBurnBps × (1 − rewardCapBps) / 10⁸`"}; related agencies and disputed answers earn no reward at all.
`;
writeFileSync(out, doc);
process.stdout.write(`wrote ${out}\n`);
