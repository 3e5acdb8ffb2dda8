/**
 * `node pglite-initdb.js DATA_DIR`: creates a PGlite data folder (PGlite runs initdb in WebAssembly) and exits.
 * `openStore` runs it in a child process for a folder that does not exist yet: initdb leaves about 400 MiB of
 * resident memory in the process that ran it (WebAssembly modules, the file bundle, malloc arenas), which a peer
 * would otherwise carry for as long as it runs.
 */
import { PGlite } from "@electric-sql/pglite";
import { PGLITE_START_PARAMS } from "./pglite-params.js";

const dataDir = process.argv[2];
if (dataDir === undefined || dataDir === "") {
  process.stderr.write("usage: pglite-initdb.js DATA_DIR\n");
  process.exit(2);
}
const client = await PGlite.create({ dataDir, startParams: [...PGLITE_START_PARAMS] });
await client.close();
