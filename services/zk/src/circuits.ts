import type { ZkQueryKind } from "./api.js";
import { ZkError } from "./errors.js";

/**
 * The registry of circuits: which template proves which query kinds, its parameters and the order of its
 * public signals. A circuit instance is a definition plus parameters; its id (e.g. "threshold-d20-f8") names
 * the compiled artifacts and the verifying key. Statements: docs/spec/zk.md.
 */

export type CircuitName = "threshold" | "membership" | "range" | "filter" | "wellformed";

/** Compile-time parameters of a circuit instance; each definition uses a subset. */
export interface CircuitParams {
  /** log2 of the row-tree capacity (even: the trees are 4-ary). */
  depth: number;
  /** Number of fields of the dataset (threshold, filter). */
  fields?: number;
  /** Filter: bounded row set, leaves of the first 4-ary block (a power of 4, ≥ 4). Well-formedness: chunk size (a power of 4). */
  rows?: number;
  /** Number of predicate slots of the filter circuit. */
  predicates?: number;
  /** Number of sorted indexes of the dataset (well-formedness chunks). */
  indexes?: number;
}

export interface CircuitDefinition {
  name: CircuitName;
  /** Template file, relative to the circuits directory. */
  file: string;
  template: string;
  /** Query kinds this circuit proves (count and sum share the range circuit; none for well-formedness). */
  queryKinds: readonly ZkQueryKind[];
  /** Parameter names passed to the template, in order. */
  params: readonly (keyof CircuitParams)[];
  /** Public inputs listed in `component main {public [...]}`. */
  publicInputs: readonly string[];
  /** Names of the public signals in the order snarkjs reports them: outputs first, then public inputs. */
  publicSignals(params: CircuitParams): string[];
}

const expand = (name: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${name}[${i}]`);

export const CIRCUITS: Readonly<Record<CircuitName, CircuitDefinition>> = {
  threshold: {
    name: "threshold",
    file: "threshold.circom",
    template: "Threshold",
    queryKinds: ["threshold"],
    params: ["depth", "fields"],
    publicInputs: ["root", "requestHash", "key", "slot", "useRange", "useEq", "lo", "hi", "meta"],
    publicSignals: () => [
      "holds",
      "root",
      "requestHash",
      "key",
      "slot",
      "useRange",
      "useEq",
      "lo",
      "hi",
      "meta",
    ],
  },
  membership: {
    name: "membership",
    file: "membership.circom",
    template: "Membership",
    queryKinds: ["membership"],
    params: ["depth"],
    publicInputs: ["root", "requestHash", "key", "meta"],
    publicSignals: () => ["member", "root", "requestHash", "key", "meta"],
  },
  range: {
    name: "range",
    file: "range.circom",
    template: "RangeAggregate",
    queryKinds: ["count", "sum"],
    params: ["depth"],
    publicInputs: [
      "root",
      "requestHash",
      "fieldTag",
      "sumTag",
      "countOnly",
      "from",
      "to",
      "minGroup",
      "meta",
    ],
    publicSignals: () => [
      "count",
      "sum",
      "root",
      "requestHash",
      "fieldTag",
      "sumTag",
      "countOnly",
      "from",
      "to",
      "minGroup",
      "meta",
    ],
  },
  filter: {
    name: "filter",
    file: "filter.circom",
    template: "Filter",
    queryKinds: ["filter"],
    params: ["depth", "fields", "rows", "predicates"],
    publicInputs: [
      "root",
      "requestHash",
      "slot",
      "useRange",
      "useEq",
      "lo",
      "hi",
      "sumSlot",
      "useSum",
      "minGroup",
      "meta",
    ],
    publicSignals: (p) => {
      const n = p.predicates ?? 0;
      return [
        "count",
        "sum",
        "root",
        "requestHash",
        ...expand("slot", n),
        ...expand("useRange", n),
        ...expand("useEq", n),
        ...expand("lo", n),
        ...expand("hi", n),
        "sumSlot",
        "useSum",
        "minGroup",
        "meta",
      ];
    },
  },
  wellformed: {
    name: "wellformed",
    file: "wellformed.circom",
    template: "WellFormedChunk",
    queryKinds: [],
    params: ["fields", "indexes", "rows"],
    publicInputs: [
      "first",
      "present",
      "beta",
      "gamma",
      "fieldSlot",
      "sumSlot",
      "useSum",
      "inKey",
      "inValue",
      "inPrefix",
      "inRowProduct",
      "inIndexProduct",
    ],
    publicSignals: (p) => {
      const n = p.indexes ?? 0;
      return [
        "outKey",
        ...expand("outValue", n),
        ...expand("outPrefix", n),
        "outRowProduct",
        "outIndexProduct",
        "rowBlock",
        ...expand("indexBlock", n),
        "first",
        "present",
        "beta",
        "gamma",
        ...expand("fieldSlot", n),
        ...expand("sumSlot", n),
        ...expand("useSum", n),
        "inKey",
        ...expand("inValue", n),
        ...expand("inPrefix", n),
        "inRowProduct",
        "inIndexProduct",
      ];
    },
  },
};

const LETTER: Record<keyof CircuitParams, string> = {
  depth: "d",
  fields: "f",
  rows: "r",
  predicates: "p",
  indexes: "i",
};

/** Checks parameters against a definition; throws CIRCUIT_UNKNOWN when one is missing or out of range. */
export function checkParams(def: CircuitDefinition, params: CircuitParams): void {
  const bad = (why: string): never => {
    throw new ZkError("CIRCUIT_UNKNOWN", `${def.name}: ${why}`, { circuit: def.name, params });
  };
  const depthParam = def.params.includes("depth");
  if (
    depthParam &&
    (!Number.isInteger(params.depth) || params.depth < 2 || params.depth > 32 || params.depth % 2 !== 0)
  ) {
    bad("depth must be an even integer in 2..32");
  }
  for (const key of def.params) {
    const v = params[key];
    if (v === undefined || !Number.isInteger(v) || v < 1) bad(`parameter ${key} is required`);
  }
  if (def.params.includes("fields") && (params.fields ?? 0) > 224) bad("at most 224 fields");
  if (def.params.includes("indexes") && (params.indexes ?? 0) > 64) bad("at most 64 indexes");
  if (def.params.includes("rows")) {
    const rows = params.rows ?? 0;
    const levels = Math.log(rows) / Math.log(4);
    // a well-formedness chunk may be a single leaf; the filter's row set is at least one 4-ary block
    const least = def.name === "wellformed" ? 1 : 4;
    if (!Number.isInteger(Math.round(levels)) || 4 ** Math.round(levels) !== rows || rows < least) {
      bad(`rows must be a power of 4, at least ${least}`);
    }
    if (depthParam && rows > 2 ** params.depth) bad("rows exceed the tree capacity");
  }
}

/** The id of a circuit instance, e.g. "threshold-d20-f8" or "filter-d20-f6-r64-p3". */
export function circuitId(name: CircuitName, params: CircuitParams): string {
  const def = CIRCUITS[name];
  checkParams(def, params);
  return [name, ...def.params.map((k) => `${LETTER[k]}${params[k]}`)].join("-");
}

/** Parses a circuit id back into its definition and parameters; throws CIRCUIT_UNKNOWN. */
export function parseCircuitId(id: string): { def: CircuitDefinition; params: CircuitParams } {
  const [name, ...parts] = id.split("-");
  const def = (CIRCUITS as Record<string, CircuitDefinition | undefined>)[name ?? ""];
  if (def === undefined || parts.length !== def.params.length) {
    throw new ZkError("CIRCUIT_UNKNOWN", `unknown circuit id ${id}`, { id });
  }
  const params: Partial<Record<keyof CircuitParams, number>> = {};
  def.params.forEach((key, i) => {
    const part = parts[i] ?? "";
    if (!part.startsWith(LETTER[key]) || !/^[a-z]\d+$/.test(part)) {
      throw new ZkError("CIRCUIT_UNKNOWN", `unknown circuit id ${id}`, { id });
    }
    params[key] = Number(part.slice(1));
  });
  const full = { depth: 0, ...params } as CircuitParams;
  checkParams(def, full);
  return { def, params: full };
}

/** The circuits proving a query kind (count and sum share one). */
export function circuitsFor(kind: ZkQueryKind): CircuitDefinition[] {
  return Object.values(CIRCUITS).filter((c) => c.queryKinds.includes(kind));
}

/** Source of the main component of an instance; compiled with the circuits directory on the include path. */
export function mainSource(def: CircuitDefinition, params: CircuitParams): string {
  checkParams(def, params);
  const args = def.params.map((k) => String(params[k])).join(", ");
  return [
    "pragma circom 2.1.0;",
    "",
    `include "${def.file}";`,
    "",
    `component main {public [${def.publicInputs.join(", ")}]} = ${def.template}(${args});`,
    "",
  ].join("\n");
}
