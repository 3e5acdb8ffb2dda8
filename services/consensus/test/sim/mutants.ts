import { cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { ConsensusCore } from "./core.js";

/*
 * Deliberately broken copies of the compiled core, to check that the simulation notices each kind of bug. A
 * mutation is a list of exact text patches to the compiled JavaScript; each must match exactly once, so that a
 * refactor of the core fails the mutation test loudly instead of letting it test an unchanged core.
 */

/** Replace `find` by `replace` in `file` (a path under dist/src). */
export interface Patch {
  readonly file: string;
  readonly find: string;
  readonly replace: string;
}

export interface Mutation {
  readonly name: string;
  readonly description: string;
  readonly patches: readonly Patch[];
}

export const MUTATIONS = {
  noLocking: {
    name: "no locking",
    description: "lines 22 and 28 prevote for any valid proposal, ignoring lockedValue and lockedRound",
    patches: [
      {
        file: "rules.js",
        find: "const ok = p.valid && (d.lockedRound === -1 || d.lockedValue?.key === p.key);",
        replace: "const ok = p.valid;",
      },
      {
        file: "rules.js",
        find: "const ok = p.valid && (d.lockedRound <= vr || d.lockedValue?.key === p.key);",
        replace: "const ok = p.valid;",
      },
    ],
  },
  noValidValue: {
    name: "no validValue update",
    description:
      "line 36 never sets validValue and validRound, so a proposer never re-proposes a polka's value",
    patches: [
      { file: "rules.js", find: "d.validValue = value;", replace: "" },
      { file: "rules.js", find: "d.validRound = d.round;", replace: "" },
    ],
  },
  majorityQuorum: {
    name: "quorum at 1/2",
    description:
      "isQuorum holds for more than half of the power (power × 2 > total); the one-third rule unchanged",
    patches: [
      {
        file: "validator-set.js",
        find: "return power * 3 > total * 2;",
        replace: "return power * 2 > total;",
      },
    ],
  },
  polRoundNotBelow: {
    name: "POL round not below the round",
    description:
      "a proposal whose POL round is its own round or later decodes, is taken (no MALFORMED drop) and is acted on at line 28",
    patches: [
      {
        file: "codec/messages.js",
        find: "// The POL of a proposal is always an earlier round of the same height.\n    if (p.polRound >= p.round)",
        replace: "if (false)",
      },
      { file: "receive.js", find: "polRound >= round", replace: "false" },
      {
        file: "rules.js",
        find: "vr >= 0 && vr < d.round && isQuorum(",
        replace: "vr >= 0 && isQuorum(",
      },
    ],
  },
} as const satisfies Record<string, Mutation>;

const COMPILED_CORE = new URL("../../src/", import.meta.url);

async function jsFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith(".js")).map((e) => join(e.parentPath, e.name));
}

/**
 * Copies the compiled core to a temporary directory, applies `mutation` and imports the copy. Its imports of the
 * ledger are pointed at the very module the real core uses. Throws when a patch does not match exactly once.
 */
export async function loadMutant(mutation: Mutation): Promise<ConsensusCore> {
  const dir = await mkdtemp(join(tmpdir(), "coken-mutant-"));
  try {
    await cp(fileURLToPath(COMPILED_CORE), dir, { recursive: true });
    const ledger = import.meta.resolve("@coken/ledger");
    for (const file of await jsFiles(dir)) {
      const text = await readFile(file, "utf8");
      await writeFile(file, text.replaceAll('from "@coken/ledger"', `from "${ledger}"`));
    }
    for (const patch of mutation.patches) {
      const file = join(dir, patch.file);
      const text = await readFile(file, "utf8");
      const matches = text.split(patch.find).length - 1;
      if (matches !== 1) {
        throw new Error(
          `${mutation.name}: "${patch.find}" matches ${matches} times in ${patch.file}, not once`,
        );
      }
      await writeFile(
        file,
        text.replace(patch.find, () => patch.replace),
      );
    }
    const core = (await import(pathToFileURL(join(dir, "index.js")).href)) as Partial<ConsensusCore>;
    const { step, createConsensusState, decodeMessage } = core;
    if (step === undefined || createConsensusState === undefined || decodeMessage === undefined) {
      throw new Error(`${mutation.name}: the copied core lacks step, createConsensusState or decodeMessage`);
    }
    return { step, createConsensusState, decodeMessage };
  } finally {
    // Every module of the copy is loaded once the import above resolved.
    await rm(dir, { recursive: true, force: true });
  }
}
