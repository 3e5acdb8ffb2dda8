import { createVerifier } from "@coken/ledger";
import { auditArchive, exportArchive } from "../src/index.js";
import { buildChain, chainSource } from "./chain.js";

/** Exports a test chain to archive bytes. */
export async function archiveOf(chain = buildChain()): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  await exportArchive(chainSource(chain), (b) => {
    parts.push(new Uint8Array(b));
  });
  return Buffer.concat(parts);
}

/** Archive bytes arriving in chunks of an odd size (frames straddle chunks). */
export const chunks = (bytes: Uint8Array, size = 977) =>
  async function* () {
    for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
  };

export const audit = (
  bytes: Uint8Array,
  extra: Partial<Parameters<typeof auditArchive>[1]> = {},
  chunkSize = 977,
) => auditArchive(() => chunks(bytes, chunkSize)(), { verifier: createVerifier(), ...extra });
