import { createHash } from "node:crypto";
import { SENT_DOCUMENTS } from "./app/api/sent-documents.js";

/** A trusted document's id: the SHA-256 (hex) of its text, as the gateway's manifests key documents. */
export function documentId(document: string): string {
  return createHash("sha256").update(document).digest("hex");
}

/**
 * The dashboard's trusted documents, id → text: every document it sends. A peer serving the dashboard adds them to
 * its officials' trusted documents, so the dashboard works on a production gateway (which runs nothing else).
 */
export function dashboardDocuments(): Map<string, string> {
  return new Map(SENT_DOCUMENTS.map((d) => [documentId(d), d]));
}

/** Where the dashboard's bundle finds its documents' ids (`npm run documents -w @coken/dashboard` writes it). */
export const MANIFEST_FILE = new URL("../../src/app/api/trusted-documents.json", import.meta.url);

/** The manifest file's text for the documents the dashboard sends now. */
export function manifestText(): string {
  return `${JSON.stringify(Object.fromEntries(dashboardDocuments()), null, 2)}\n`;
}
