import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createGatewayServer, type GatewayServer } from "../../src/server.js";
import { gql } from "../official/client.js";
import { buildWorld, officialOf, ScriptedFederation, type World } from "../official/fixtures.js";

/** Seeded PRNG (mulberry32) so a failing case can be replayed. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FRAGMENTS = [
  "{",
  "}",
  "(",
  ")",
  "[",
  "]",
  ":",
  "$",
  "@",
  "...",
  "query",
  "self",
  "region",
  "agency",
  '"x"',
  "1e999",
  "__schema",
  "#",
  "\\u0000",
  "fragment F on Query",
  "𝔊",
  "\n",
];

interface Case {
  name: string;
  method?: string;
  contentType?: string;
  body?: string | Uint8Array<ArrayBuffer>;
  path?: string;
}

function cases(): Case[] {
  const rnd = prng(20260101);
  const out: Case[] = [
    {
      name: "deeply nested selection",
      body: JSON.stringify({ query: `{${"self{region{agencies{".repeat(300)}agencyId${"}}}".repeat(300)}}` }),
    },
    {
      name: "deeply nested JSON variables",
      body: `{"query":"{__typename}","variables":${"[".repeat(5000)}${"]".repeat(5000)}}`,
    },
    {
      name: "deeply nested list literal",
      body: JSON.stringify({
        query: `{ catalog(filter: { tag: ${"[".repeat(3000)}"x"${"]".repeat(3000)} }) { totalCount } }`,
      }),
    },
    {
      name: "many fragments",
      body: JSON.stringify({
        query: `{ ...F0 } ${Array.from({ length: 500 }, (_, i) => `fragment F${i} on Query { ...F${i + 1} }`).join(" ")} fragment F500 on Query { __typename }`,
      }),
    },
    {
      name: "fragment cycle",
      body: JSON.stringify({ query: "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }" }),
    },
    {
      name: "huge string argument",
      body: JSON.stringify({ query: `{ region(id: "${"r".repeat(500_000)}") { id } }` }),
    },
    { name: "malformed JSON", body: '{"query": "{ __typename }"' },
    {
      name: "JSON array (batch) body",
      body: JSON.stringify([{ query: "{ __typename }" }, { query: "{ __typename }" }]),
    },
    { name: "query is a number", body: JSON.stringify({ query: 42 }) },
    { name: "variables is a string", body: JSON.stringify({ query: "{ __typename }", variables: "x" }) },
    { name: "null body", body: "null" },
    { name: "empty body", body: "" },
    { name: "invalid UTF-8", body: new Uint8Array([0x7b, 0x22, 0x71, 0xff, 0xfe, 0x22, 0x3a, 0x7d]) },
    {
      name: "text/plain content type",
      contentType: "text/plain",
      body: JSON.stringify({ query: "{ __typename }" }),
    },
    { name: "XML content type", contentType: "application/xml", body: "<query/>" },
    { name: "multipart without boundary", contentType: "multipart/form-data", body: "--x\r\n" },
    { name: "PUT", method: "PUT", body: JSON.stringify({ query: "{ __typename }" }) },
    { name: "mutation on a query-only schema", body: JSON.stringify({ query: "mutation { x }" }) },
    { name: "subscription", body: JSON.stringify({ query: "subscription { x }" }) },
    {
      name: "unknown operation name",
      body: JSON.stringify({ query: "query A { __typename }", operationName: "B" }),
    },
    {
      name: "variables of the wrong type",
      body: JSON.stringify({
        query: "query($n: Int) { catalog(first: $n) { totalCount } }",
        variables: { n: "many" },
      }),
    },
    {
      name: "Int overflow",
      body: JSON.stringify({ query: "{ catalog(first: 99999999999) { totalCount } }" }),
    },
    { name: "path traversal", path: "/graphql/../../etc/passwd", body: "{}" },
    { name: "unknown route", path: "/admin", body: "{}" },
  ];
  for (let i = 0; i < 40; i++) {
    const bytes = new Uint8Array(1 + Math.floor(rnd() * 2048));
    for (let j = 0; j < bytes.length; j++) bytes[j] = Math.floor(rnd() * 256);
    out.push({ name: `random bytes #${i}`, body: bytes });
  }
  for (let i = 0; i < 40; i++) {
    const n = 1 + Math.floor(rnd() * 60);
    const query = Array.from({ length: n }, () => FRAGMENTS[Math.floor(rnd() * FRAGMENTS.length)]).join(" ");
    out.push({ name: `random tokens #${i}`, body: JSON.stringify({ query }) });
  }
  return out;
}

describe("fuzz-ish requests against /graphql", () => {
  let world: World;
  let server: GatewayServer;
  let url: string;
  before(async () => {
    world = await buildWorld();
    server = createGatewayServer({ officialRateLimit: null, maxBodyBytes: 256 * 1024 })({
      official: officialOf(world, new ScriptedFederation()),
    });
    url = await server.listen();
  });
  after(async () => {
    await server.close();
    await world.close();
  });

  it("answers every malformed, hostile or random request with a client error, never a crash or a 5xx", async () => {
    const failures: string[] = [];
    for (const c of cases()) {
      const res = await fetch(`${url}${c.path ?? "/graphql"}`, {
        method: c.method ?? "POST",
        headers: {
          "content-type": c.contentType ?? "application/json",
          accept: "application/graphql-response+json",
        },
        ...(c.body === undefined ? {} : { body: c.body }),
      }).catch((e: Error) => e);
      if (res instanceof Error) {
        failures.push(`${c.name}: ${res.message}`);
        continue;
      }
      const text = await res.text();
      const isClientError = res.status >= 400 && res.status < 500;
      // A 200 is acceptable only for a well-formed request that the schema answered (with or without errors).
      const answered = res.status === 200 && /"(data|errors)"/.test(text);
      if (!isClientError && !answered) failures.push(`${c.name}: ${res.status} ${text.slice(0, 120)}`);
      if (/at .*\.js:\d+|Error: .*\n\s+at /.test(text)) failures.push(`${c.name}: stack trace in response`);
      if (text.includes('"INTERNAL"')) failures.push(`${c.name}: internal error`);
    }
    assert.deepEqual(failures, []);
    const alive = await gql(url, "{ self { agencyId } }");
    assert.deepEqual(alive.body.data, { self: { agencyId: "bj.housing" } }, "the server still answers");
    const metrics = await (await fetch(`${url}/metrics`)).text();
    assert.doesNotMatch(metrics, /code="INTERNAL"/, "no request ended in an internal error");
  });
});
