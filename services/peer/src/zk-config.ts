import {
  type CurveThreads,
  DEFAULT_CIRCUIT_IDS,
  defaultCacheDir,
  type IndexSpec,
  parseCircuitId,
} from "@coken/zk";
import { ConfigError, expected, int, type Json, obj, only, resolve } from "./config-fields.js";
import { configFieldsOf } from "./config-reference.js";

/** How this agency proves answers over one of its own datasets: the commitment layout it was built with. */
export interface ProvedDatasetConfig {
  /** log2 of the row tree's capacity (even); must match the circuits' depth. */
  depth: number;
  /** Sorted prefix-sum indexes, in commitment order (the ledger lists only their fields). */
  indexes: IndexSpec[];
  /** Whether this peer proves the well-formedness evidence of its commitments (false only without requireEvidence). */
  evidence: boolean;
}

/** The `zk` section of a peer's configuration: zero-knowledge keys, the prover pool and the datasets it proves over. */
export interface ZkConfig {
  /** Artifact cache written by `coken zk build` / `coken zk ceremony finalize`. */
  cacheDir: string;
  /** Circuit instances this peer proves with (one key set each, picked from the cache). */
  circuits: string[];
  /** Accept development keys (never in a production gateway). */
  devKeys: boolean;
  /**
   * Proved answers need well-formedness evidence: served by this peer only once its evidence is proved, accepted
   * from others only with their evidence verified (NOT_WELL_FORMED otherwise). Always true without devKeys.
   */
  requireEvidence: boolean;
  proverThreads: number;
  proveTimeoutMs: number;
  /**
   * Where each prover thread's curve works: "none" in the prover thread itself, "per-core" on a thread per core
   * of its own (faster proofs at depth 20, for about 100 MiB more while proving: docs/spec/zk.md §11).
   */
  curveThreads: CurveThreads;
  /** Stop a prover thread after this many ms without a proof (the next proof starts it); 0: keep them running. */
  proverIdleMs: number;
  /** Own datasets answered with proofs, by dataset id; absent ones answer lookups only. */
  datasets: Record<string, ProvedDatasetConfig>;
}

const KEYS = configFieldsOf("zk");

function name(v: unknown, path: string): string {
  if (typeof v !== "string" || v.length === 0) throw new ConfigError(path, expected(v, "a field name"));
  return v;
}

function curveThreads(v: unknown): CurveThreads {
  if (v !== "none" && v !== "per-core")
    throw new ConfigError("$.zk.curveThreads", 'expected "none" or "per-core"');
  return v;
}

function datasetSection(v: unknown, path: string, requireEvidence: boolean): ProvedDatasetConfig {
  const d = obj(v, path);
  only(d, path, configFieldsOf("zk.datasets.<id>"));
  const depth = int(d.depth ?? 20, `${path}.depth`, 2, 32);
  if (depth % 2 !== 0) throw new ConfigError(`${path}.depth`, "expected an even depth (4-ary trees)");
  const list = d.indexes ?? [];
  if (!Array.isArray(list)) throw new ConfigError(`${path}.indexes`, "expected an array of {field, sum?}");
  const indexes = list.map((ix, i): IndexSpec => {
    const at = `${path}.indexes[${i}]`;
    const o = obj(ix, at);
    only(o, at, configFieldsOf("zk.datasets.<id>.indexes[]"));
    const field = name(o.field, `${at}.field`);
    return o.sum === undefined ? { field } : { field, sum: name(o.sum, `${at}.sum`) };
  });
  const evidence = d.evidence ?? true;
  if (typeof evidence !== "boolean") throw new ConfigError(`${path}.evidence`, "expected a boolean");
  if (!evidence && requireEvidence)
    throw new ConfigError(
      `${path}.evidence`,
      "evidence: false needs requireEvidence false (development keys)",
    );
  return { depth, indexes, evidence };
}

/**
 * Parses the `zk` section; a relative cache path is taken from `base`, an absent one from COKEN_ZK_CACHE or the
 * user cache. `production` (the gateway's mode) refuses development keys. Throws only ConfigError.
 */
export function parseZkConfig(v: unknown, base: string, production: boolean, env = process.env): ZkConfig {
  const z = obj(v, "$.zk");
  only(z, "$.zk", KEYS);
  const cache = z.cacheDir === undefined ? defaultCacheDir(env) : name(z.cacheDir, "$.zk.cacheDir");
  const circuits = z.circuits ?? DEFAULT_CIRCUIT_IDS;
  if (!Array.isArray(circuits) || circuits.length === 0)
    throw new ConfigError("$.zk.circuits", "expected a non-empty array of circuit ids");
  circuits.forEach((id, i) => {
    try {
      parseCircuitId(name(id, `$.zk.circuits[${i}]`));
    } catch (e) {
      if (e instanceof ConfigError) throw e;
      throw new ConfigError(`$.zk.circuits[${i}]`, `unknown circuit id ${String(id)}`);
    }
  });
  const devKeys = z.devKeys ?? false;
  if (typeof devKeys !== "boolean") throw new ConfigError("$.zk.devKeys", "expected a boolean");
  if (devKeys && production)
    throw new ConfigError(
      "$.zk.devKeys",
      "a production gateway never proves or verifies with development keys",
    );
  const requireEvidence = z.requireEvidence ?? !devKeys;
  if (typeof requireEvidence !== "boolean")
    throw new ConfigError("$.zk.requireEvidence", "expected a boolean");
  if (!requireEvidence && !devKeys)
    throw new ConfigError(
      "$.zk.requireEvidence",
      "only development keys (devKeys: true) may serve or accept proved answers without evidence",
    );
  const datasets = obj(z.datasets ?? {}, "$.zk.datasets") as Json;
  return {
    cacheDir: resolve(base, cache),
    circuits: [...(circuits as string[])],
    devKeys,
    requireEvidence,
    proverThreads: int(z.proverThreads ?? 1, "$.zk.proverThreads", 1, 64),
    proveTimeoutMs: int(z.proveTimeoutMs ?? 30_000, "$.zk.proveTimeoutMs", 100, 3_600_000),
    curveThreads: curveThreads(z.curveThreads ?? "none"),
    proverIdleMs: int(z.proverIdleMs ?? 60_000, "$.zk.proverIdleMs", 0, 86_400_000),
    datasets: Object.fromEntries(
      Object.entries(datasets).map(([id, d]) => [
        id,
        datasetSection(d, `$.zk.datasets.${id}`, requireEvidence),
      ]),
    ),
  };
}
