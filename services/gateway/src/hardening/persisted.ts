import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { usePersistedOperations } from "@graphql-yoga/plugin-persisted-operations";
import type { GraphQLParams, Plugin } from "graphql-yoga";
import { GatewayError } from "../errors.js";

/** Trusted documents: SHA-256 (hex) of the document text → document. */
export type PersistedDocuments = ReadonlyMap<string, string>;

/** The id of a document in a manifest. */
export function documentId(document: string): string {
  return createHash("sha256").update(document).digest("hex");
}

/**
 * Parses a manifest `{ "<sha256 hex>": "<document>", ... }`, checking that every id is the hash of its document
 * (a manifest that lies about a hash would let an unreviewed document run under a reviewed id).
 */
export function parseManifest(json: string): PersistedDocuments {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new GatewayError("BAD_USER_INPUT", "persisted documents manifest is not JSON");
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new GatewayError("BAD_USER_INPUT", "persisted documents manifest must be an object");
  }
  const out = new Map<string, string>();
  for (const [id, document] of Object.entries(parsed)) {
    if (typeof document !== "string" || documentId(document) !== id) {
      throw new GatewayError("BAD_USER_INPUT", "manifest id is not the SHA-256 of its document", { id });
    }
    out.set(id, document);
  }
  return out;
}

/** Reads and checks a manifest file. */
export async function loadManifest(path: string): Promise<PersistedDocuments> {
  return parseManifest(await readFile(path, "utf8"));
}

/** The id a request names: GraphQL-over-HTTP `documentId`, or the `persistedQuery` extension. */
function extractId(params: GraphQLParams & { documentId?: unknown }): string | null {
  if (typeof params.documentId === "string") return params.documentId.replace(/^sha256:/, "");
  const pq = (params.extensions as { persistedQuery?: { sha256Hash?: unknown } } | undefined)?.persistedQuery;
  return typeof pq?.sha256Hash === "string" ? pq.sha256Hash : null;
}

/**
 * Documents of the manifest run by id. With `only` (production) a request with a `query` text is refused;
 * without it (dev) texts run as well.
 */
export function persistedDocuments(documents: PersistedDocuments, options: { only: boolean }): Plugin {
  return usePersistedOperations({
    allowArbitraryOperations: !options.only,
    extractPersistedOperationId: extractId,
    getPersistedOperation: (id) => documents.get(id) ?? null,
    customErrors: {
      notFound: { message: "unknown document id", extensions: { code: "PERSISTED_DOCUMENT_NOT_FOUND" } },
      keyNotFound: {
        message: "a document id is required",
        extensions: { code: "PERSISTED_DOCUMENT_REQUIRED" },
      },
      persistedQueryOnly: {
        message: "only trusted documents are accepted",
        extensions: { code: "PERSISTED_DOCUMENT_REQUIRED" },
      },
    },
  }) as Plugin;
}
