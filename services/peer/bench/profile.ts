/** Summaries of a V8 .cpuprofile (as written by `node --cpu-prof`): self time by function, package and stage. */

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface Share {
  name: string;
  ms: number;
  /** Of the busy (non-idle) samples. */
  share: number;
}

export interface ProfileSummary {
  /** Wall time covered by the window, ms. */
  windowMs: number;
  /** Time the thread was not idle, ms (sampled). */
  busyMs: number;
  /** All functions by self time, highest first. */
  functions: Share[];
  packages: Share[];
  stages: Share[];
}

const SPECIAL = new Set(["(root)", "(program)", "(idle)", "(garbage collector)"]);

function basename(url: string): string {
  return url.slice(url.lastIndexOf("/") + 1);
}

/** The package a script belongs to: node_modules name, @coken/<service>, node:… or the special frames. */
function packageOf(url: string): string | null {
  if (url === "") return null;
  if (url.startsWith("wasm://")) return null; // attributed to the JS that called it
  if (url.startsWith("node:")) return "node (built-in modules)";
  const nm = url.lastIndexOf("/node_modules/");
  if (nm !== -1) {
    const rest = url.slice(nm + "/node_modules/".length).split("/");
    return rest[0]?.startsWith("@") ? `${rest[0]}/${rest[1]}` : (rest[0] ?? "?");
  }
  const svc = /\/services\/([^/]+)\//.exec(url);
  if (svc) return `@coken/${svc[1]}`;
  return "other";
}

interface Marker {
  stage: string;
  /** The frame's script (basename) or package. */
  file?: string;
  pkg?: string;
  functions: string[];
}

// Stages of a validator's work, recognised by a function on the stack; the first listed stage that matches wins.
const STAGES: Marker[] = [
  { stage: "mempool re-check after each commit", file: "mempool.js", functions: ["update"] },
  { stage: "checkTx (mempool admission of a new tx)", file: "mempool.js", functions: ["add", "admit"] },
  { stage: "proposal: decode + execute before prevote", file: "driver.js", functions: ["proposalInput"] },
  { stage: "proposal: decode + execute before prevote", file: "messages.js", functions: ["decodeProposal"] },
  {
    stage: "proposal: decode + execute before prevote",
    file: "proposal-parts.js",
    functions: ["checkProposalHeader", "assembleProposal"],
  },
  {
    stage: "proposal: decode + execute before prevote",
    file: "parts.js",
    functions: ["verifyPart", "joinParts"],
  },
  { stage: "commit: apply block, state root", file: "ledger.js", functions: ["apply", "commit", "execute"] },
  { stage: "commit: apply block, state root", file: "chain.js", functions: ["apply", "toBlockCommit"] },
  { stage: "WAL record encoding", file: "wal-codec.js", functions: ["encodeWalInput"] },
  { stage: "proposer: reap + build block", file: "block-builder.js", functions: ["buildBlock"] },
  // PGlite sends parameters as text: its bytea serializer writes a hex string one byte at a time.
  {
    stage: "store: PGlite parameter serialisation (bytea as hex text)",
    pkg: "@electric-sql/pglite",
    functions: ["serialize", "addString"],
  },
];

function matches(marker: Marker, frame: CallFrame): boolean {
  if (!marker.functions.includes(frame.functionName)) return false;
  if (marker.file !== undefined) return basename(frame.url) === marker.file;
  return packageOf(frame.url) === marker.pkg;
}

const PG_CLIENT = new Set(["pg", "pg-protocol", "pg-pool", "pg-types", "pgpass", "postgres-bytea"]);

function stageOfPackage(pkg: string | null): string | null {
  if (pkg === null) return null;
  if (pkg === "@electric-sql/pglite") return "store: rest of PGlite (WASM Postgres)";
  if (PG_CLIENT.has(pkg)) return "store: PostgreSQL client (pg)";
  if (pkg === "drizzle-orm" || pkg === "@coken/store") return "store: drizzle and @coken/store";
  if (pkg.includes("libp2p") || pkg.startsWith("@chainsafe/") || pkg === "it-pipe" || pkg.startsWith("it-"))
    return "p2p (libp2p, noise, gossipsub)";
  return null;
}

/**
 * Summarises the samples taken between `fromUs` and `toUs` (profile clock, µs). Self time goes to the sampled
 * function; wasm frames go to the package of the nearest JS caller; stages use the whole stack.
 */
export function summarise(profile: CpuProfile, fromUs: number, toUs: number): ProfileSummary {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of profile.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const fnTime = new Map<string, number>();
  const pkgTime = new Map<string, number>();
  const stageTime = new Map<string, number>();
  const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
  const stackOf = (id: number): ProfileNode[] => {
    const out: ProfileNode[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const n = byId.get(at);
      if (n) out.push(n);
    }
    return out;
  };
  const memo = new Map<number, { fn: string; pkg: string; stage: string; idle: boolean }>();
  const classify = (id: number) => {
    const known = memo.get(id);
    if (known) return known;
    const stack = stackOf(id);
    const leaf = stack[0] as ProfileNode;
    const { functionName, url, lineNumber } = leaf.callFrame;
    const idle = functionName === "(idle)";
    let fn: string;
    let pkg: string;
    if (SPECIAL.has(functionName) && url === "") {
      fn = functionName;
      pkg = functionName === "(garbage collector)" ? "V8 garbage collector" : "V8 / native (program)";
    } else {
      const where = url.startsWith("wasm://") ? "wasm" : `${basename(url)}:${lineNumber + 1}`;
      fn = `${functionName || "(anonymous)"} ${url === "" ? "(native)" : where}`;
      pkg = "?";
      for (const n of stack) {
        const p = packageOf(n.callFrame.url);
        if (p !== null) {
          pkg = url.startsWith("wasm://") ? `${p} (wasm)` : p;
          break;
        }
      }
    }
    let stage: string | undefined;
    for (const marker of STAGES) {
      if (stack.some((n) => matches(marker, n.callFrame))) {
        stage = marker.stage;
        break;
      }
    }
    if (stage === undefined) {
      for (const n of stack) {
        const s = stageOfPackage(packageOf(n.callFrame.url));
        if (s !== null) {
          stage = s;
          break;
        }
      }
    }
    if (stage === undefined) {
      if (functionName === "(garbage collector)") stage = "garbage collection";
      else if (stack.some((n) => basename(n.callFrame.url) === "api.js" || n.callFrame.url === "node:http"))
        stage = "local HTTP API";
      else stage = "other";
    }
    const c = { fn, pkg, stage, idle };
    memo.set(id, c);
    return c;
  };

  let t = profile.startTime;
  let busy = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    // The time until the next sample is attributed to this one.
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    if (t < fromUs || t > toUs || dt <= 0) continue;
    const c = classify(profile.samples[i] as number);
    if (c.idle) continue;
    busy += dt;
    add(fnTime, c.fn, dt);
    add(pkgTime, c.pkg, dt);
    add(stageTime, c.stage, dt);
  }
  const rank = (m: Map<string, number>): Share[] =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([name, ms]) => ({ name, ms, share: busy > 0 ? ms / busy : 0 }));
  return {
    windowMs: (Math.min(toUs, profile.endTime) - Math.max(fromUs, profile.startTime)) / 1000,
    busyMs: busy,
    functions: rank(fnTime),
    packages: rank(pkgTime),
    stages: rank(stageTime),
  };
}
