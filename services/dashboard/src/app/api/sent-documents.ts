import * as credits from "./credits-documents.js";
import * as documents from "./documents.js";
import { askDocument, type QueryKind } from "./documents.js";

const KINDS: QueryKind[] = ["LOOKUP", "THRESHOLD", "MEMBERSHIP", "COUNT", "SUM", "FILTER"];
const texts = (module: Record<string, unknown>) =>
  Object.values(module).filter((v): v is string => typeof v === "string");

/**
 * Every GraphQL document the dashboard sends: each string its document modules export (they export documents and
 * nothing else as strings) and the query of every kind. A production gateway runs only trusted documents, by id;
 * `trusted-documents.json` is their manifest, and the client sends nothing else.
 */
export const SENT_DOCUMENTS: readonly string[] = [
  ...new Set([...texts(documents), ...texts(credits), ...KINDS.map(askDocument)]),
];
