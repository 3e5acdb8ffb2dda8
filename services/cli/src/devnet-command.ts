import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { DevnetSize } from "@coken/devnet";
import { defaultCacheDir } from "@coken/zk";
import { type Command, flag, str } from "./command.js";
import { UsageError } from "./commands.js";

const MAIN = fileURLToPath(new URL("./main.js", import.meta.url));

function basePort(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1024 || n > 65_000)
    throw new UsageError(`--base-port ${v}: expected an integer in 1024..65000`);
  return n;
}

function size(v: string | undefined): DevnetSize | undefined {
  if (v === undefined || v === "full" || v === "small") return v;
  throw new UsageError(`--size ${v}: expected full or small`);
}

export const DIR_OPTION = {
  type: "string",
  value: "DIR",
  description: "the devnet folder (default $COKEN_DEVNET_DIR or ./.coken/devnet)",
} as const;

export const devnetCommands: Command[] = [
  {
    words: ["devnet", "start"],
    summary: "run a seeded multi-region devnet on this machine (what `npm start` runs)",
    details: `Six agencies in Hunan and Guangdong plus a regulator, each a real \`coken peer\` process with its own keys,
PGlite store, libp2p connections, consensus vote and GraphQL endpoint. The first start creates keys and a genesis,
builds development ZK keys into the cache (a few minutes, once), and seeds synthetic datasets (tens of thousands of
rows), commitments and grants. Later starts resume the same chain. Ctrl-C stops every peer cleanly.
Ports: agency i uses BASE+10i (libp2p), BASE+10i+1 (operator API), BASE+10i+2 (GraphQL).`,
    options: {
      dir: DIR_OPTION,
      reset: { type: "boolean", description: "delete the devnet folder first and start over" },
      "base-port": { type: "string", value: "N", description: "first port (default 7100)" },
      size: {
        type: "string",
        value: "full|small",
        description:
          "dataset size of a new devnet: full (default) or small (15 rows a dataset, depth-4 keys: for tests)",
      },
      "zk-cache": {
        type: "string",
        value: "DIR",
        description: "ZK key cache (default $COKEN_ZK_CACHE or ~/.cache/coken/zk)",
      },
    },
    async run({ values }, env) {
      const stopSignal = new Promise<string>((done) => {
        process.once("SIGINT", () => done("SIGINT"));
        process.once("SIGTERM", () => done("SIGTERM"));
      });
      const { defaultDevnetDir, runDevnet } = await import("@coken/devnet");
      const code = await runDevnet({
        dir: resolve(str(values, "dir") ?? defaultDevnetDir(env)),
        reset: flag(values, "reset"),
        basePort: basePort(str(values, "base-port")),
        size: size(str(values, "size")),
        zkCache: resolve(str(values, "zk-cache") ?? defaultCacheDir(env)),
        cli: MAIN,
        env,
        out: process.stdout,
        err: process.stderr,
        stopSignal,
      });
      // Interrupted during the key build, that build's worker threads would keep the process alive: the devnet
      // has stopped everything it started, so it ends here.
      setTimeout(() => process.exit(code), 200).unref();
      return { code, out: "" };
    },
  },
];

devnetCommands.push({
  words: ["demo"],
  summary: "play the devnet's story against the running devnet: proved checks, a refusal, a freeze, the log",
  details: `Against the devnet \`npm start\` runs: Guangdong's housing authority counts a buyer's homes in Hunan (a proved
COUNT), a bank checks a declared income at the Hunan tax bureau (a proved yes/no), each owner's well-formedness
evidence and the askers' verified records of it, a query without a grant is refused, the regulator freezes the
bank and its next query is refused, then the access log, credits and rankings, \`coken chain verify\` on every
peer and \`coken audit\` of one. Every answer is checked against the synthetic rows. Exit 0 only when
every step holds.`,
  options: { dir: DIR_OPTION, json: { type: "boolean", description: "one JSON document instead of tables" } },
  async run({ values }, env) {
    const json = flag(values, "json");
    const { defaultDevnetDir, runDemo } = await import("@coken/devnet");
    const result = await runDemo({
      dir: resolve(str(values, "dir") ?? defaultDevnetDir(env)),
      cli: MAIN,
      onStep: (s) => {
        if (!json)
          process.stdout.write(
            `\n${s.ok ? "✔" : "✘"} ${s.title}\n${s.detail.replace(/^/gm, "    ").trimEnd()}\n`,
          );
      },
    });
    if (json) return { code: result.ok ? 0 : 1, out: `${JSON.stringify(result, null, 2)}\n` };
    const failed = result.steps.filter((s) => !s.ok).length;
    return {
      code: failed === 0 ? 0 : 1,
      out: `\n${failed === 0 ? `All ${result.steps.length} steps hold.` : `${failed} of ${result.steps.length} steps failed.`}\n`,
    };
  },
});
