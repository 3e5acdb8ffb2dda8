import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { COMMANDS } from "../src/registry.js";

// The README's command table is what a newcomer reads first: it must list every command the CLI has, and no other.
const README = readFileSync(new URL("../../../../README.md", import.meta.url), "utf8");

describe("README command reference", () => {
  it("lists every coken command, and only those", () => {
    const start = README.indexOf("<!-- cli-reference");
    const end = README.indexOf("<!-- /cli-reference -->");
    assert.ok(start !== -1 && end > start, "the README has a cli-reference block");
    const listed = [...README.slice(start, end).matchAll(/^\| `coken ([^`]+)` \|/gm)].map((m) =>
      (m[1] as string).replace(/ [A-Z][A-Z.,]*$/, ""),
    );
    const commands = COMMANDS.map((c) => c.words.join(" "));
    assert.deepEqual([...listed].sort(), [...commands].sort());
  });
});
