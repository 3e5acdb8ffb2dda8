import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createGatewayServer, type GatewayServer, type GatewayServerComponents } from "@coken/gateway";
import * as credits from "../src/app/api/credits-documents.js";
import * as documents from "../src/app/api/documents.js";
import { SENT_DOCUMENTS } from "../src/app/api/sent-documents.js";
import { dashboardDocuments, documentId, MANIFEST_FILE, manifestText } from "../src/documents-manifest.js";

const APP = new URL("../../src/app/", import.meta.url);

async function sources(dir: URL): Promise<{ file: string; text: string }[]> {
  const out: { file: string; text: string }[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !/\.tsx?$/.test(entry.name)) continue;
    const file = join(entry.parentPath, entry.name);
    out.push({ file, text: await readFile(file, "utf8") });
  }
  return out;
}

// What a document refused before it runs looks like: unknown to the manifest, invalid, or beyond the limits.
const REFUSED_BEFORE_RUNNING = new Set([
  "PERSISTED_DOCUMENT_NOT_FOUND",
  "PERSISTED_DOCUMENT_REQUIRED",
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "DEPTH_LIMIT",
  "ALIAS_LIMIT",
  "TOKEN_LIMIT",
  "DIRECTIVE_LIMIT",
  "COST_LIMIT",
  "NESTING_LIMIT",
]);

/**
 * A production gateway runs trusted documents only, by id. The dashboard sends only documents of its manifest
 * (src/app/api/trusted-documents.json, which its peer trusts): the manifest must hold every one of them, and
 * each must pass a production gateway's checks.
 */
describe("dashboard: trusted documents", () => {
  it("the manifest holds exactly the documents the dashboard sends (`npm run documents -w @coken/dashboard`)", async () => {
    const written = JSON.parse(await readFile(MANIFEST_FILE, "utf8")) as Record<string, string>;
    const wanted = dashboardDocuments();
    const missing = [...wanted].filter(([id]) => written[id] === undefined).map(([, d]) => d.split("\n")[0]);
    assert.deepEqual(missing, [], "documents the dashboard sends that the manifest lacks");
    const stale = Object.keys(written).filter((id) => !wanted.has(id));
    assert.deepEqual(stale, [], "manifest entries the dashboard no longer sends");
    for (const [id, text] of Object.entries(written)) assert.equal(documentId(text), id);
    assert.equal(await readFile(MANIFEST_FILE, "utf8"), manifestText());
  });

  it("every request the pages make passes one of the document modules' documents", async () => {
    const exported = new Set(
      [...Object.entries(documents), ...Object.entries(credits)]
        .filter(([, v]) => typeof v === "string")
        .map(([name]) => name),
    );
    const calls: string[] = [];
    for (const { file, text } of await sources(APP)) {
      if (file.endsWith(join("api", "client.ts"))) continue;
      // The first argument: a name, a call of a name, or else its first character (an inline document's quote).
      for (const m of text.matchAll(/\b(?:gql|readPages)(?:<[^>(]*>)?\(\s*([\w$]+(?:\([\w$]*\))?|\S)/g)) {
        const argument = m[1] ?? "";
        calls.push(`${file}: ${argument}`);
        const known = exported.has(argument) || /^askDocument\([\w$]+\)$/.test(argument);
        assert.ok(known, `${file} sends ${argument}, which is not a document of the document modules`);
      }
    }
    assert.ok(calls.length >= 20, `found the pages' requests (${calls.length})`);
    for (const name of exported) {
      const text = (documents as Record<string, unknown>)[name] ?? (credits as Record<string, unknown>)[name];
      assert.ok(SENT_DOCUMENTS.includes(text as string), `${name} is among the documents sent`);
    }
  });

  describe("on a production gateway", () => {
    let server: GatewayServer;
    let url: string;
    before(async () => {
      // Nothing behind the schema: documents are checked, and whatever runs finds an empty ledger and store.
      const official = {
        self: "test.agency",
        ledger: { get: () => undefined, entries: () => [], hasher: {} },
        chain: {
          latestHeight: async () => null,
          queryReceipts: async () => ({ receipts: [], next: null }),
        },
        federation: {},
      } as unknown as GatewayServerComponents["official"];
      server = createGatewayServer({
        mode: "production",
        persistedDocuments: dashboardDocuments(),
        officialRateLimit: null,
      })({ official });
      url = await server.listen();
    });
    after(() => server.close());

    const send = async (id: string) => {
      const response = await fetch(`${url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-coken-csrf": "1" },
        body: JSON.stringify({ documentId: `sha256:${id}`, variables: {} }),
      });
      const body = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
      return (body.errors ?? []).map((e) => e.extensions?.code ?? "");
    };

    it("runs every dashboard document by id: none unknown, invalid or over the query limits", async () => {
      assert.deepEqual(await send(documentId("{ self { name } }")), ["PERSISTED_DOCUMENT_NOT_FOUND"]);
      for (const [id, text] of dashboardDocuments()) {
        const refused = (await send(id)).filter((code) => REFUSED_BEFORE_RUNNING.has(code));
        assert.deepEqual(refused, [], text);
      }
    });
  });
});
