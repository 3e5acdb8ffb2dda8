import { openStore } from "@coken/store";

// Run as a child process by the devnet before an agency's first start: creating a PGlite store (initdb and the
// migrations) peaks near 600 MiB and leaves the allocator holding ~450 MiB, so it happens here, in a process that
// ends, and the peer opens an existing store (~250 MiB). Argument: the store's folder.
const dir = process.argv[2];
if (dir === undefined) {
  process.stderr.write("usage: create-store DIR\n");
  process.exit(2);
}
const store = await openStore({ kind: "pglite", dataDir: dir });
await store.close();
