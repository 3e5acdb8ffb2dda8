import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import {
  buildArtifacts,
  type CircuitArtifacts,
  type CircuitSpec,
  compileCached,
  contribute,
  DEFAULT_CIRCUIT_IDS,
  DEV_SETUP_BANNER,
  defaultCacheDir,
  devPtau,
  finalizeCeremony,
  formatElapsed,
  importPtau,
  initCeremony,
  type PhaseOne,
  type PtauFile,
  parseCircuitId,
  releaseCurve,
  verifyCeremony,
} from "@coken/zk";
import type { Command, OptionSpec } from "./command.js";
import { type CommandResult, UsageError } from "./commands.js";

function specsOf(list: string | undefined): CircuitSpec[] {
  const ids = list === undefined ? DEFAULT_CIRCUIT_IDS : list.split(",").filter((s) => s !== "");
  return ids.map((id) => {
    const { def, params } = parseCircuitId(id);
    return { name: def.name, params };
  });
}

/** Progress on stderr, each line stamped with the time since the command started. */
function stderrProgress(): (line: string) => void {
  const start = performance.now();
  return (line) => process.stderr.write(`[${formatElapsed(performance.now() - start)}] ${line}\n`);
}

function summary(artifacts: readonly CircuitArtifacts[]): string {
  const rows = artifacts.map((a) => ({
    circuit: a.circuit,
    queryKinds: a.queryKinds,
    constraints: a.constraints,
    verifyingKeyHash: a.verifyingKeyHash,
    devSetup: a.devSetup,
    contributors: a.contributors,
    zkey: a.zkey,
  }));
  return `${JSON.stringify(rows, null, 2)}\n`;
}

/**
 * `coken zk build | ceremony init | ceremony contribute | ceremony verify | ceremony finalize`. Progress and the
 * development banner go to stderr; results (circuits, verifying-key hashes) to stdout as JSON.
 */
export async function zkCommand(argv: string[], env: NodeJS.ProcessEnv): Promise<CommandResult> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      circuits: { type: "string" },
      ptau: { type: "string" },
      "verify-ptau": { type: "boolean" },
      dev: { type: "boolean" },
      cache: { type: "string" },
      dir: { type: "string" },
      agency: { type: "string" },
      min: { type: "string" },
    },
  });
  const cacheDir = values.cache ?? defaultCacheDir(env);
  const progress = stderrProgress();
  const [command, sub] = positionals;
  try {
    if (command === "build") {
      const phaseOne: PhaseOne =
        values.ptau !== undefined
          ? { kind: "import", path: values.ptau, verify: values["verify-ptau"] === true }
          : values.dev === true
            ? { kind: "dev" }
            : { kind: "cached" };
      return {
        code: 0,
        out: summary(await buildArtifacts(specsOf(values.circuits), { cacheDir, phaseOne, progress })),
      };
    }
    if (command === "ceremony") {
      const dir = values.dir;
      if (dir === undefined) throw new UsageError("zk ceremony needs --dir");
      if (sub === "init") {
        const compiled = [];
        for (const spec of specsOf(values.circuits)) {
          const c = await compileCached(cacheDir, spec, progress);
          compiled.push({
            circuit: c.id,
            queryKinds: [...parseCircuitId(c.id).def.queryKinds],
            r1cs: c.r1cs,
            wasm: c.wasm,
            constraints: c.constraints,
            power: c.power,
            compileKey: c.key,
          });
        }
        const power = Math.max(...compiled.map((c) => c.power));
        let ptau: PtauFile;
        if (values.ptau !== undefined) {
          ptau = await importPtau(cacheDir, values.ptau, {
            verify: values["verify-ptau"] === true,
            progress,
          });
        } else if (values.dev === true) {
          process.stderr.write(`${DEV_SETUP_BANNER}\n`);
          ptau = await devPtau(cacheDir, power, progress);
        } else {
          throw new UsageError("zk ceremony init needs --ptau FILE (or --dev for a rehearsal)");
        }
        const t = await initCeremony(dir, ptau, compiled, progress);
        return {
          code: 0,
          out: `${JSON.stringify({ circuits: t.circuits.map((c) => c.circuit), ptau: t.ptau.id })}\n`,
        };
      }
      if (sub === "contribute") {
        if (values.agency === undefined) throw new UsageError("zk ceremony contribute needs --agency");
        // Entropy: the operator's own (COKEN_ZK_ENTROPY) mixed with fresh random bytes; neither is stored.
        const entropy = `${env.COKEN_ZK_ENTROPY ?? ""}${randomBytes(32).toString("hex")}`;
        const t = await contribute(dir, values.agency, entropy, progress);
        return { code: 0, out: `${JSON.stringify({ contributors: t.contributors })}\n` };
      }
      if (sub === "verify") {
        await verifyCeremony(dir, progress);
        return { code: 0, out: "ceremony verifies\n" };
      }
      if (sub === "finalize") {
        const min = values.min === undefined ? undefined : Number(values.min);
        const result = await finalizeCeremony(dir, cacheDir, { minContributors: min, progress });
        const verifyingKeys = result.verifyingKeys.map((k) => ({
          queryKind: k.queryKind,
          hash: Buffer.from(k.hash).toString("hex"),
        }));
        if (result.artifacts.some((a) => a.devSetup)) process.stderr.write(`${DEV_SETUP_BANNER}\n`);
        return {
          code: 0,
          out: `${JSON.stringify({ verifyingKeys, circuits: JSON.parse(summary(result.artifacts)) }, null, 2)}\n`,
        };
      }
    }
    throw new UsageError("unknown zk command");
  } finally {
    await releaseCurve();
  }
}

const CIRCUITS: OptionSpec = {
  type: "string",
  value: "ID,...",
  description: `circuit ids (default ${DEFAULT_CIRCUIT_IDS.join(",")})`,
};
const CACHE: OptionSpec = {
  type: "string",
  value: "DIR",
  description: "artifact cache (default $COKEN_ZK_CACHE or ~/.cache/coken/zk)",
};
const DIR: OptionSpec = { type: "string", value: "DIR", description: "the ceremony folder", required: true };
const zk = (
  words: string[],
  summary: string,
  options: Record<string, OptionSpec>,
  details?: string,
): Command => ({
  words: ["zk", ...words],
  summary,
  options,
  ...(details === undefined ? {} : { details }),
  ownParser: true,
  run: ({ rest }, env) => zkCommand([...words, ...rest], env),
});

/** Zero-knowledge keys: development builds and the multi-party ceremony. */
export const zkCommands: Command[] = [
  zk(["build"], "build circuits and their proving/verifying keys into the cache (progress on stderr)", {
    circuits: CIRCUITS,
    dev: {
      type: "boolean",
      description: "DEVELOPMENT keys: phase 1 from known secrets (never for production)",
    },
    ptau: { type: "string", value: "FILE", description: "import a multi-party phase-1 file" },
    "verify-ptau": { type: "boolean", description: "verify the imported phase-1 file (slow)" },
    cache: CACHE,
  }),
  zk(["ceremony", "init"], "start a phase-2 ceremony folder for the circuits", {
    dir: DIR,
    circuits: CIRCUITS,
    ptau: { type: "string", value: "FILE", description: "multi-party phase-1 file" },
    dev: { type: "boolean", description: "development phase 1 (a rehearsal)" },
    cache: CACHE,
  }),
  zk(
    ["ceremony", "contribute"],
    "add this agency's contribution to the ceremony (verified first)",
    {
      dir: DIR,
      agency: { type: "string", value: "ID", description: "the contributing agency", required: true },
      cache: CACHE,
    },
    "Extra entropy may come from COKEN_ZK_ENTROPY; it is mixed with fresh random bytes and never stored.",
  ),
  zk(["ceremony", "verify"], "verify every contribution of a ceremony folder", { dir: DIR, cache: CACHE }),
  zk(["ceremony", "finalize"], "verify all and print the verifying-key hashes for dataset.commit", {
    dir: DIR,
    min: { type: "string", value: "N", description: "fewest contributions accepted" },
    cache: CACHE,
  }),
];
