// Writes the dashboard's trusted-documents manifest, src/app/api/trusted-documents.json, from the built sources:
// `npm run build && npm run documents -w @coken/dashboard`. test/trusted-documents.test.ts fails while it is stale.
import { writeFile } from "node:fs/promises";
import { MANIFEST_FILE, manifestText } from "./dist/src/documents-manifest.js";

await writeFile(MANIFEST_FILE, manifestText());
