import { readdir, rm } from "node:fs/promises";
import { join, relative } from "node:path";
import { buildArtifacts, parseCircuitId } from "@coken/zk";
import { endpointsOf, seedDevnet, totalRows } from "./bootstrap.js";
import { apiGet, DevnetError, until } from "./client.js";
import {
  type AgencyNode,
  createDevnet,
  type DevnetManifest,
  MANIFEST,
  readManifest,
  readSecret,
  withPorts,
  writeConfigs,
  writeManifest,
} from "./layout.js";
import { checkPorts } from "./ports.js";
import { buildProgress } from "./progress.js";
import { AGENCIES, circuitIds, type DevnetSize, REGIONS } from "./scenario.js";
import { logTail, PeerSupervisor, reapStalePeers } from "./supervisor.js";
import { formatTable } from "./table.js";

export interface DevnetOptions {
  dir: string;
  reset: boolean;
  /** undefined: the manifest's (or 7100 for a new devnet). */
  basePort?: number;
  /** undefined: the manifest's (or full for a new devnet). */
  size?: DevnetSize;
  zkCache: string;
  /** The `coken` entry point the peers run as. */
  cli: string;
  env: NodeJS.ProcessEnv;
  out: { write(s: string): boolean; isTTY?: boolean };
  err: { write(s: string): boolean; isTTY?: boolean };
  /** Resolves when the devnet should stop (Ctrl-C). */
  stopSignal: Promise<string>;
}

export const DEFAULT_BASE_PORT = 7100;

const elapsed = (since: number) => {
  const s = (performance.now() - since) / 1000;
  return s < 90 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
};

/** Removes a devnet folder, but only one that is a devnet's (or empty): --reset never deletes anything else. */
async function resetFolder(dir: string): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return;
  }
  if (entries.length > 0 && !entries.includes(MANIFEST))
    throw new DevnetError("NOT_A_DEVNET", `${dir} holds files but no ${MANIFEST}: not removing it`);
  await rm(dir, { recursive: true, force: true });
}

async function prepare(o: DevnetOptions): Promise<{ manifest: DevnetManifest; created: boolean }> {
  if (o.reset) await resetFolder(o.dir);
  const existing = await readManifest(o.dir);
  if (existing !== null) {
    if (o.size !== undefined && o.size !== existing.size)
      throw new DevnetError(
        "SIZE_MISMATCH",
        `this devnet was created with --size ${existing.size}; add --reset to start over at ${o.size}`,
      );
    return {
      manifest: withPorts({ ...existing, zkCache: o.zkCache }, o.basePort ?? existing.basePort),
      created: false,
    };
  }
  const manifest = await createDevnet(o.dir, {
    size: o.size ?? "full",
    basePort: o.basePort ?? DEFAULT_BASE_PORT,
    zkCache: o.zkCache,
  });
  return { manifest, created: true };
}

async function buildKeys(o: DevnetOptions, circuits: string[]): Promise<void> {
  const progress = buildProgress(circuits.length, o.err);
  await buildArtifacts(
    circuits.map((id) => {
      const { def, params } = parseCircuitId(id);
      return { name: def.name, params };
    }),
    { cacheDir: o.zkCache, phaseOne: { kind: "dev" }, progress: (line) => progress.line(line) },
  );
  progress.done();
}

interface Status {
  height: number;
  peers: number;
  rssBytes: number;
}

/** A folder as people read it: relative to the working directory when below it, else absolute. */
function shown(dir: string): string {
  const r = relative(process.cwd(), dir);
  return r === "" ? "." : r.startsWith("..") ? dir : r;
}

function readyTable(o: DevnetOptions, m: DevnetManifest, statuses: Status[]): string {
  const dir = shown(o.dir);
  const dirFlag = o.dir === defaultDevnetDir(o.env) ? "" : ` --dir ${dir}`;
  const rows = m.agencies.map((a, i) => [
    a.id,
    `${a.region} ${REGIONS[a.region as keyof typeof REGIONS]?.split(" ")[1] ?? ""}`.trim(),
    `http://127.0.0.1:${a.gatewayPort}/graphql`,
    `http://127.0.0.1:${a.apiPort}`,
    String(statuses[i]?.height ?? "?"),
    `${Math.round((statuses[i]?.rssBytes ?? 0) / 2 ** 20)} MiB`,
  ]);
  const someApi = `http://127.0.0.1:${m.agencies[0]?.apiPort}`;
  const regulatorId = AGENCIES.find((a) => a.roles.includes("regulator"))?.id;
  const regulator = m.agencies.find((a) => a.id === regulatorId);
  return [
    formatTable(
      ["agency", "region", "GraphQL (GraphiQL in a browser)", "operator API", "height", "RSS"],
      rows,
    ),
    "",
    `Dashboard: http://127.0.0.1:${m.agencies[0]?.gatewayPort}/dashboard/ (every agency's gateway serves its own at /dashboard/; the regulator's console: http://127.0.0.1:${regulator?.gatewayPort ?? "?"}/dashboard/regulator).`,
    "",
    `Data folder ${dir} (peer logs: ${dir}/<agency>/peer.log; operator token: ${dir}/operator.token).`,
    "",
    "Next, in another shell:",
    `  npx coken demo${dirFlag}                       the story: proved cross-region checks, a refusal, a freeze, the access log`,
    `  npx coken chain verify --api ${someApi} --genesis ${dir}/genesis.json`,
    `  npx coken dataset status --api ${someApi}   proving, and each dataset's well-formedness evidence`,
    "  npx coken --help                     every command (tx, query, dataset, keys, genesis, zk, ...)",
    "",
    "Ctrl-C stops every peer; `npm start` again resumes the same chain; `npm start -- --reset` starts over.",
    "",
  ].join("\n");
}

/**
 * `coken devnet start` (`npm start`): creates or resumes a devnet folder, builds the development ZK keys into the
 * cache (first start only), runs one peer process per agency, seeds the scenario on first start, prints where
 * everything is, and runs until `stopSignal`; then stops every peer. Returns the exit code.
 */
export async function runDevnet(o: DevnetOptions): Promise<number> {
  const t0 = performance.now();
  const { manifest: prepared, created } = await prepare(o);
  let m = prepared;
  await reapStalePeers(o.dir, m.agencies, (text) => o.out.write(`${text}\n`));
  await checkPorts(m);
  const circuits = circuitIds(m.size);
  await writeConfigs(o.dir, m, circuits);
  await writeManifest(o.dir, m);
  o.out.write(
    `${created ? "Creating" : "Resuming"} devnet ${m.chainId} in ${shown(o.dir)}: ${m.agencies.length} peers in ${new Set(m.agencies.map((a) => a.region)).size} regions (${m.size} size).\n`,
  );
  // Ctrl-C while keys build: nothing runs yet, so stop here (the build is in this process and ends with it).
  const stopped = await Promise.race([buildKeys(o, circuits).then(() => null), o.stopSignal]);
  if (stopped !== null) {
    o.out.write(`\n${stopped}: stopped before any peer started; the next start resumes the key build.\n`);
    return 130;
  }
  let failed: { node: AgencyNode; code: number | null } | null = null;
  let wake: () => void = () => {};
  const peerDied = new Promise<void>((r) => {
    wake = r;
  });
  const supervisor = new PeerSupervisor(
    o.dir,
    o.cli,
    { ...o.env, COKEN_KEYSTORE_PASSPHRASE: await readSecret(o.dir, "passphrase") },
    (node, code) => {
      failed ??= { node, code };
      wake();
    },
  );
  const report = async () => {
    if (failed === null) return 0;
    o.err.write(
      `\n${failed.node.id} stopped on its own (exit code ${failed.code}); the last lines of ${failed.node.log}:\n${await logTail(o.dir, failed.node)}\n`,
    );
    return 1;
  };
  try {
    for (const node of m.agencies) supervisor.start(node);
    o.out.write(`Starting ${m.agencies.length} peers ...\n`);
    const statusOf = (a: AgencyNode) => apiGet<Status>(endpointsOf(m, a.id).api, "/v1/status");
    const started = Promise.all(
      m.agencies.map((a) =>
        until(
          `${a.id} to start`,
          () => statusOf(a),
          (s) => (s?.height ?? 0) >= 1,
          180_000,
        ),
      ),
    );
    // Each phase ends early when a peer dies or Ctrl-C comes (the peers are then stopped below).
    const interrupted = (p: Promise<unknown>) =>
      Promise.race([p.then(() => null), peerDied.then(() => "peer"), o.stopSignal]);
    const why = await interrupted(started);
    if (why === "peer") return await report();
    if (why !== null) return stoppedEarly(o, why);
    if (!m.seeded) {
      o.out.write("Seeding: datasets, rows, commitments, grants ...\n");
      const seeding = seedDevnet(o.dir, m, { step: (text) => o.out.write(`  ${text}\n`) });
      const whySeed = await interrupted(seeding);
      if (whySeed === "peer") return await report();
      if (whySeed !== null) return stoppedEarly(o, whySeed);
      m = await seeding;
    }
    const statuses = await Promise.all(m.agencies.map(async (a) => (await statusOf(a)) as Status));
    o.out.write(
      `\nCoken devnet ${m.chainId} ready in ${elapsed(t0)}: ${m.agencies.length} peers, ${totalRows(m).toLocaleString("en")} synthetic rows, ${Object.keys(m.grants).length} grants.\n\n`,
    );
    o.out.write(readyTable(o, m, statuses));
    const end = await Promise.race([o.stopSignal, peerDied.then(() => "peer")]);
    if (end === "peer") return await report();
    o.out.write(`\n${end}: stopping every peer ...\n`);
    return 0;
  } finally {
    await supervisor.stop();
    o.out.write("Every peer stopped.\n");
  }
}

function stoppedEarly(o: DevnetOptions, why: string): number {
  o.out.write(
    `\n${why}: stopping every peer before the devnet was ready; the next start goes on from here ...\n`,
  );
  return 130;
}

/** The default folder of the devnet: $COKEN_DEVNET_DIR or .coken/devnet under the working directory. */
export function defaultDevnetDir(env: NodeJS.ProcessEnv): string {
  const dir = env.COKEN_DEVNET_DIR;
  return dir === undefined || dir === "" ? join(process.cwd(), ".coken", "devnet") : dir;
}
