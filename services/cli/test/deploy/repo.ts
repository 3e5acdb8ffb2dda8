import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";

function findRepo(from: string): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, "deploy", "compose.yaml"))) return dir;
  }
  throw new Error(`no repository with deploy/compose.yaml above ${from}`);
}

/** The repository root: the nearest folder above this file that holds deploy/compose.yaml. */
export const REPO = findRepo(dirname(fileURLToPath(import.meta.url)));

/**
 * Reads a file by its path from the repository root. Checks take one, so a test can hand them the real files
 * with one of them changed in memory.
 */
export type ReadFile = (path: string) => string;

export const readRepoFile: ReadFile = (path) => readFileSync(join(REPO, path), "utf8");

/** `read`, except that `path` reads as `edit` makes it (the edit must change something, or the test is void). */
export function editedFile(read: ReadFile, path: string, edit: (text: string) => string): ReadFile {
  return (p) => {
    if (p !== path) return read(p);
    const before = read(p);
    const after = edit(before);
    if (after === before) throw new Error(`the edit of ${path} changed nothing`);
    return after;
  };
}

/** Every YAML document of a file, with `<<` merge keys resolved as Compose and kubectl resolve them. */
export function yamlDocuments(text: string, file: string): unknown[] {
  return parseAllDocuments(text, { merge: true, prettyErrors: true }).map((doc, i) => {
    if (doc.errors.length > 0) throw new Error(`${file} (document ${i + 1}): ${doc.errors[0]?.message}`);
    return doc.toJS();
  });
}

/** A plain object's fields, or an empty one (YAML gives unknown values; checks report what is missing). */
export function fields(v: unknown): Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

export function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** Bytes of a Kubernetes or Compose memory quantity ("256Mi", "384M", "1Gi"); NaN when unreadable. */
export function memoryBytes(q: unknown): number {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|K|M|G|k)?$/.exec(String(q));
  if (!m) return Number.NaN;
  const unit: Record<string, number> = {
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    K: 1e3,
    k: 1e3,
    M: 1e6,
    G: 1e9,
  };
  return Number(m[1]) * (m[2] === undefined ? 1 : (unit[m[2]] ?? Number.NaN));
}
