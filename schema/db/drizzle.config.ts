import { defineConfig } from "drizzle-kit";

// Paths are relative to the repository root, where `npm run db:generate` runs.
export default defineConfig({
  dialect: "postgresql",
  schema: [
    "./schema/db/src/ledger-tables.ts",
    "./schema/db/src/consensus-tables.ts",
    "./schema/db/src/local-data-tables.ts",
    "./schema/db/src/gateway-tables.ts",
  ],
  out: "./schema/db/migrations",
  strict: true,
  verbose: true,
});
