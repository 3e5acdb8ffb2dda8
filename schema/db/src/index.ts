import { fileURLToPath } from "node:url";

export { bytea, epochMs, int8 } from "./columns.js";
export { consensusSignState, consensusWal } from "./consensus-tables.js";
export {
  gatewayCalls,
  gatewayIssuedReceipts,
  gatewayNonces,
  gatewayReceiptBatches,
  gatewayThresholdCounts,
} from "./gateway-tables.js";
export { accessReceipts, blocks, chainMeta, stateEntries, stateMeta, transactions } from "./ledger-tables.js";
export { localDatasetRows, localWellFormedChunks, localWellFormedEvidence } from "./local-data-tables.js";

/** Absolute path of the drizzle-kit migrations; this module runs from `dist/src/`, two levels below the package. */
export const migrationsFolder: string = fileURLToPath(new URL("../../migrations", import.meta.url));
