import { readFile } from "node:fs/promises";
import { extname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** Where `npm run build` writes the dashboard's bundle (`vite build`). */
export const BUNDLE_DIR = fileURLToPath(new URL("../../app", import.meta.url));

export interface DashboardFilesOptions {
  /** The built bundle; default BUNDLE_DIR. */
  dir?: string;
  /** URL path the dashboard is served under, without a trailing slash; default "/dashboard". */
  mount?: string;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json; charset=utf-8",
  ".woff2": "font/woff2",
};

// The dashboard talks only to its own origin (the gateway's /graphql); nothing else may load or frame it.
const SECURITY: Record<string, string> = {
  "content-security-policy":
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

const plain = (status: number, text: string, extra: Record<string, string> = {}) =>
  new Response(text, {
    status,
    headers: { "content-type": "text/plain; charset=utf-8", ...SECURITY, ...extra },
  });

/** The file under `root` a URL path names, or null when it would leave `root` or is not a plain path. */
export function fileFor(root: string, relative: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(relative);
  } catch {
    return null;
  }
  if (decoded.includes("\0") || decoded.split("/").some((part) => part === ".." || part.startsWith(".")))
    return null;
  const file = resolve(join(root, decoded));
  return file === root || file.startsWith(root + sep) ? file : null;
}

async function readOrNull(file: string): Promise<Buffer | null> {
  try {
    return await readFile(file);
  } catch {
    return null;
  }
}

/**
 * A fetch-style handler serving the built dashboard under `mount`: files of the bundle (hashed assets cached
 * for a year, the rest revalidated) and `index.html` for any other path without an extension, so client-side
 * routes load. GET and HEAD only.
 */
export function createDashboardFiles(options: DashboardFilesOptions = {}) {
  const root = resolve(options.dir ?? BUNDLE_DIR);
  const mount = options.mount ?? "/dashboard";
  return async (request: Request): Promise<Response> => {
    if (request.method !== "GET" && request.method !== "HEAD")
      return plain(405, "method not allowed", { allow: "GET, HEAD" });
    const path = new URL(request.url).pathname;
    if (path === mount) return new Response(null, { status: 308, headers: { location: `${mount}/` } });
    if (!path.startsWith(`${mount}/`)) return plain(404, "not found");
    const relative = path.slice(mount.length + 1) || "index.html";
    const file = fileFor(root, relative);
    if (file === null) return plain(400, "bad path");
    const body = await readOrNull(file);
    const type = TYPES[extname(file)];
    if (body !== null && type !== undefined) {
      const immutable = relative.startsWith("assets/");
      return new Response(request.method === "HEAD" ? null : new Uint8Array(body), {
        headers: {
          "content-type": type,
          "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
          ...SECURITY,
        },
      });
    }
    if (extname(relative) !== "" && relative !== "index.html") return plain(404, "not found");
    const index = await readOrNull(join(root, "index.html"));
    if (index === null) return plain(503, "the dashboard is not built: run npm run build");
    return new Response(request.method === "HEAD" ? null : new Uint8Array(index), {
      headers: { "content-type": TYPES[".html"] as string, "cache-control": "no-cache", ...SECURITY },
    });
  };
}
