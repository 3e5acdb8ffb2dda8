import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { generateKeystore } from "@coken/keystore";
import { type Signer, toHex } from "@coken/ledger";
import { peerIdFromPublicKey } from "@coken/p2p";

const CLI = fileURLToPath(new URL("../../../cli/dist/src/main.js", import.meta.url));
export const PASSPHRASE = "cluster-test-passphrase";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface ClusterNode {
  agency: string;
  signer: Signer;
  config: string;
  apiPort: number;
  process: ChildProcess | null;
  log: string[];
}

/**
 * Writes keystores, a genesis file and a config per agency: a loopback network whose first agencies are
 * validators and whose `observers` (listed in `agencies` too) only follow the chain.
 */
export async function prepareCluster(
  dir: string,
  agencies: string[],
  observers: string[] = [],
): Promise<ClusterNode[]> {
  const keys = await Promise.all(
    agencies.map(async (agency) => {
      const file = join(dir, `${agency}.key.json`);
      const { signer } = await generateKeystore(file, {
        agency,
        passphrase: PASSPHRASE,
        kdf: { N: 1 << 14, r: 8, p: 1 },
      });
      return { agency, signer, file, p2pPort: await freePort(), apiPort: await freePort() };
    }),
  );
  const genesis = {
    chainId: "coken-cluster",
    genesisTime: new Date(Date.now() - 60_000).toISOString().replace(/\.\d{3}Z$/, "Z"),
    agencies: keys.map((k) => ({
      id: k.agency,
      name: k.agency,
      region: "CN",
      publicKey: toHex(k.signer.publicKey),
      roles: observers.includes(k.agency) ? ["member"] : ["validator", "member"],
      balance: "1000000",
    })),
    validators: keys
      .filter((k) => !observers.includes(k.agency))
      .map((k) => ({ agency: k.agency, power: 10 })),
  };
  await writeFile(join(dir, "genesis.json"), JSON.stringify(genesis));
  const addr = (k: (typeof keys)[number]) =>
    `/ip4/127.0.0.1/tcp/${k.p2pPort}/p2p/${peerIdFromPublicKey(k.signer.publicKey).toString()}`;
  return Promise.all(
    keys.map(async (k) => {
      await mkdir(join(dir, k.agency), { recursive: true });
      const config = join(dir, `${k.agency}.config.json`);
      await writeFile(
        config,
        JSON.stringify({
          genesis: "genesis.json",
          keystore: `${k.agency}.key.json`,
          store: { kind: "pglite", dataDir: `${k.agency}/db` },
          p2p: { listen: `/ip4/127.0.0.1/tcp/${k.p2pPort}`, peers: keys.filter((o) => o !== k).map(addr) },
          api: { host: "127.0.0.1", port: k.apiPort },
          consensus: {
            timeoutProposeMs: 2000,
            timeoutVoteMs: 1000,
            timeoutDeltaMs: 500,
            timeoutCommitMs: 200,
          },
        }),
      );
      return { agency: k.agency, signer: k.signer, config, apiPort: k.apiPort, process: null, log: [] };
    }),
  );
}

export function startNode(node: ClusterNode): void {
  // With the heap cap `npm run peer` gives a peer (package.json), so the tests run peers as operators do.
  const args = [
    "--max-old-space-size=192",
    "--max-semi-space-size=8",
    CLI,
    "peer",
    "start",
    "--config",
    node.config,
  ];
  const child = spawn(process.execPath, args, {
    env: { ...process.env, COKEN_KEYSTORE_PASSPHRASE: PASSPHRASE },
    stdio: ["ignore", "ignore", "pipe"],
  });
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (chunk: string) => {
    node.log.push(chunk);
    if (node.log.length > 200) node.log.shift();
  });
  node.process = child;
}

export async function stopNode(node: ClusterNode, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  const child = node.process;
  if (child === null || child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill(signal);
  await exited;
  node.process = null;
}

export async function api<T>(node: ClusterNode, path: string, body?: Uint8Array): Promise<T | null> {
  try {
    const res = await fetch(
      `http://127.0.0.1:${node.apiPort}${path}`,
      body ? { method: "POST", body: body as Uint8Array<ArrayBuffer> } : {},
    );
    return (await res.json()) as T;
  } catch {
    return null;
  }
}

export interface Status {
  height: number;
  appHash: string;
  peers: number;
  halted: boolean;
}

/** Polls until `check` holds or the bound passes; fails with what was last seen. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T>,
  check: (v: T) => boolean,
  timeoutMs = 60_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: T = await probe();
  while (!check(last)) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; last seen ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 200));
    last = await probe();
  }
  return last;
}
