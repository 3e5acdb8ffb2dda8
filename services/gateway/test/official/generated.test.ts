import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { generate, loadCodegenConfig } from "@graphql-codegen/cli";

const ROOT = resolve(fileURLToPath(import.meta.url), "../../../../../..");

describe("generated GraphQL types", () => {
  it("are what graphql-codegen makes of schema/graphql today (run `npm run codegen` after editing the SDL)", async () => {
    const cwd = process.cwd();
    process.chdir(ROOT);
    try {
      const { config } = await loadCodegenConfig({ configFilePath: join(ROOT, "schema/graphql/codegen.ts") });
      const files = (await generate({ ...config, hooks: {}, silent: true }, false)) as {
        filename: string;
        content: string;
      }[];
      assert.equal(files.length, 2);
      for (const file of files) {
        // The committed files went through the formatter (the codegen hook); format the fresh output the same way.
        const formatted = execFileSync(
          join(ROOT, "node_modules/.bin/biome"),
          ["format", `--stdin-file-path=${file.filename}`],
          {
            cwd: ROOT,
            input: file.content,
            encoding: "utf8",
          },
        );
        assert.equal(formatted, readFileSync(join(ROOT, file.filename), "utf8"), `${file.filename} is stale`);
      }
    } finally {
      process.chdir(cwd);
    }
  });
});
