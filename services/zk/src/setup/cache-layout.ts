import { join } from "node:path";

/** Path of one cache entry: `<root>/<kind>/<id>` (kinds: "ptau", "circuits", "keys", "ceremony"). */
export function cacheEntry(
  root: string,
  kind: "ptau" | "circuits" | "keys" | "ceremony",
  id: string,
): string {
  return join(root, kind, id);
}
