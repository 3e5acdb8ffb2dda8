import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cp, mkdir, open, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { generateKeystore, readKeystoreFile } from "@coken/keystore";
import { peerIdFromPublicKey } from "@coken/p2p";
import {
  AGENCIES,
  DATASETS,
  DEVNET_PARAMS,
  type DevnetSize,
  provesEvidence,
  strictEvidence,
  treeDepth,
} from "./scenario.js";

/**
 * The devnet's folder: one sub-folder per agency (keystore, generated config, PGlite store, log), the genesis,
 * the operator token and passphrase (0600), and `devnet.json`, the manifest the demo and the CLI read.
 * Keys, genesis and stores are made once; configs are written again at every start (ports may change).
 */

export const MANIFEST = "devnet.json";

export interface AgencyNode {
  id: string;
  name: string;
  region: string;
  peerId: string;
  p2pPort: number;
  apiPort: number;
  gatewayPort: number;
  /** Paths relative to the devnet folder. */
  config: string;
  keystore: string;
  log: string;
}

export interface DevnetManifest {
  version: 1;
  chainId: string;
  size: DevnetSize;
  basePort: number;
  /** The ZK artifact cache the peers read their keys from. */
  zkCache: string;
  agencies: AgencyNode[];
  /** Set once every dataset is published, committed and proved, and every grant issued. */
  seeded: boolean;
  /** Grant ids by `<dataset> -> <grantee>`. */
  grants: Record<string, string>;
}

export const grantKey = (dataset: string, grantee: string) => `${dataset} -> ${grantee}`;

/** The three ports of the agency at `index`: libp2p, operator API, gateway. */
export function portsOf(basePort: number, index: number) {
  return {
    p2pPort: basePort + index * 10,
    apiPort: basePort + index * 10 + 1,
    gatewayPort: basePort + index * 10 + 2,
  };
}

export async function readManifest(dir: string): Promise<DevnetManifest | null> {
  let text: string;
  try {
    text = await readFile(join(dir, MANIFEST), "utf8");
  } catch {
    return null;
  }
  return JSON.parse(text) as DevnetManifest;
}

export async function writeManifest(dir: string, m: DevnetManifest): Promise<void> {
  const tmp = join(dir, `${MANIFEST}.tmp`);
  await writeFile(tmp, `${JSON.stringify(m, null, 2)}\n`);
  await rename(tmp, join(dir, MANIFEST));
}

/** Writes a secret file readable by its owner only (created with the mode, never widened). */
async function writeSecret(path: string, text: string): Promise<void> {
  const f = await open(path, "wx", 0o600);
  try {
    await f.writeFile(text);
  } finally {
    await f.close();
  }
}

export const readSecret = async (dir: string, name: "passphrase" | "operator.token") =>
  (await readFile(join(dir, name), "utf8")).trim();

/** Creates keys, genesis, token and passphrase in an empty devnet folder; returns the manifest. */
export async function createDevnet(
  dir: string,
  options: { size: DevnetSize; basePort: number; zkCache: string },
): Promise<DevnetManifest> {
  await mkdir(dir, { recursive: true });
  await writeSecret(join(dir, "passphrase"), `${randomBytes(24).toString("hex")}\n`);
  await writeSecret(join(dir, "operator.token"), `${randomBytes(32).toString("hex")}\n`);
  const passphrase = await readSecret(dir, "passphrase");
  const agencies: AgencyNode[] = [];
  for (const [i, a] of AGENCIES.entries()) {
    await mkdir(join(dir, a.id), { recursive: true });
    const keystore = join(a.id, "key.json");
    // Development keystores: a lighter scrypt than production's default, so six keys open quickly at start.
    const { signer } = await generateKeystore(join(dir, keystore), {
      agency: a.id,
      passphrase,
      kdf: { N: 1 << 15, r: 8, p: 1 },
    });
    agencies.push({
      id: a.id,
      name: a.name,
      region: a.region,
      peerId: peerIdFromPublicKey(signer.publicKey).toString(),
      ...portsOf(options.basePort, i),
      config: join(a.id, "peer.json"),
      keystore,
      log: join(a.id, "peer.log"),
    });
  }
  const genesis = {
    chainId: `coken-devnet-${randomBytes(3).toString("hex")}`,
    genesisTime: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
    params: DEVNET_PARAMS,
    agencies: await Promise.all(
      AGENCIES.map(async (a) => ({
        id: a.id,
        name: a.name,
        region: a.region,
        publicKey: (await readKeystoreFile(join(dir, a.id, "key.json"))).publicKey,
        roles: a.roles,
        balance: a.balance.toString(),
      })),
    ),
    validators: AGENCIES.filter((a) => a.roles.includes("validator")).map((a) => ({
      agency: a.id,
      power: 10,
    })),
    // The devnet has one regulator agency, so one approval lifts a freeze; a network with several sets a higher
    // threshold here and changes it by governance (regulators.set).
    regulators: {
      members: AGENCIES.filter((a) => a.roles.includes("regulator")).map((a) => a.id),
      threshold: 1,
    },
  };
  await writeFile(join(dir, "genesis.json"), `${JSON.stringify(genesis, null, 2)}\n`);
  // One store is created by a process of its own that then ends (create-store.ts says why); a fresh store holds
  // only the schema, the same for every agency, so the others are copies of it (initdb is the slow part).
  const createStore = fileURLToPath(new URL("./create-store.js", import.meta.url));
  const template = join(dir, ".store-template");
  await promisify(execFile)(process.execPath, [createStore, template]);
  for (const a of agencies) await cp(template, join(dir, a.id, "db"), { recursive: true });
  await rm(template, { recursive: true, force: true });
  const manifest: DevnetManifest = {
    version: 1,
    chainId: genesis.chainId,
    size: options.size,
    basePort: options.basePort,
    zkCache: options.zkCache,
    agencies,
    seeded: false,
    grants: {},
  };
  await writeManifest(dir, manifest);
  return manifest;
}

/** Moves every agency to the ports of `basePort` (a resumed devnet may start on other ports). */
export function withPorts(m: DevnetManifest, basePort: number): DevnetManifest {
  return { ...m, basePort, agencies: m.agencies.map((a, i) => ({ ...a, ...portsOf(basePort, i) })) };
}

/** The peer config of one agency (JSON the peer's own parser reads; paths relative to its folder). */
export function peerConfig(m: DevnetManifest, node: AgencyNode, circuits: string[]): Record<string, unknown> {
  const others = m.agencies.filter((o) => o.id !== node.id);
  const own = DATASETS.filter((d) => d.owner === node.id);
  return {
    genesis: "../genesis.json",
    keystore: "key.json",
    store: { kind: "pglite", dataDir: "db" },
    p2p: {
      listen: `/ip4/127.0.0.1/tcp/${node.p2pPort}`,
      peers: others.map((o) => `/ip4/127.0.0.1/tcp/${o.p2pPort}/p2p/${o.peerId}`),
    },
    api: { host: "127.0.0.1", port: node.apiPort, tokenFile: "../operator.token" },
    // A block about every 1.5 s: quick enough for the demo, light enough for six peers idling on a laptop.
    consensus: { timeoutProposeMs: 2000, timeoutVoteMs: 800, timeoutDeltaMs: 300, timeoutCommitMs: 1500 },
    gateway: {
      port: node.gatewayPort,
      publicUrl: `http://127.0.0.1:${node.gatewayPort}`,
      peers: Object.fromEntries(others.map((o) => [o.id, `http://127.0.0.1:${o.gatewayPort}`])),
      receiptBatchWaitMs: 500,
      // A receipt its requester does not co-sign is recorded without it after this long (the demo shows one).
      receiptAckWaitMs: 3000,
    },
    // Small: strict, answers only over commitments with well-formedness evidence, as in production. Full: answers
    // at once, the evidence proved only for the datasets of at most EVIDENCE_MAX_ROWS rows (about 1,800 constraints
    // a row: hours of both cores for the 10,000–24,000-row ones; docs/BENCHMARKS.md).
    zk: {
      cacheDir: m.zkCache,
      circuits,
      devKeys: true,
      requireEvidence: strictEvidence(m.size),
      proverThreads: 1,
      datasets: Object.fromEntries(
        own.map((d) => [
          d.id,
          { depth: treeDepth(m.size), indexes: d.indexes, evidence: provesEvidence(d, m.size) },
        ]),
      ),
    },
  };
}

export async function writeConfigs(dir: string, m: DevnetManifest, circuits: string[]): Promise<void> {
  for (const node of m.agencies)
    await writeFile(join(dir, node.config), `${JSON.stringify(peerConfig(m, node, circuits), null, 2)}\n`);
}
