import { mkdir, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { type Signer, toHex } from "@coken/ledger";
import { openStore } from "@coken/store";
import type { SignedFederationClient } from "../../src/federation/client.js";
import type { ReceiptQueue } from "../../src/receipts/queue.js";

// The peer package builds on this one, so it is loaded at run time from its build output (a static import would
// make the project references circular). These are the few shapes the test uses.
interface PeerGatewayHandle {
  readonly url: string;
  readonly federation: SignedFederationClient;
  readonly receipts: ReceiptQueue;
}
export interface RunningPeer {
  readonly agency: string;
  readonly apiPort: number;
  readonly gateway: PeerGatewayHandle | null;
  stop(): Promise<void>;
}
interface Logger {
  debug(m: string, f?: Record<string, unknown>): void;
  info(m: string, f?: Record<string, unknown>): void;
  warn(m: string, f?: Record<string, unknown>): void;
  error(m: string, f?: Record<string, unknown>): void;
  child(name: string): Logger;
}
interface PeerModule {
  parsePeerConfig(doc: unknown, base: string): unknown;
  startPeer(config: unknown, passphrase: string, log: Logger): Promise<RunningPeer>;
}
interface KeystoreModule {
  generateKeystore(
    path: string,
    o: { agency: string; passphrase: string; kdf: { N: number; r: number; p: number } },
  ): Promise<{ signer: Signer }>;
}
interface P2pModule {
  peerIdFromPublicKey(key: Uint8Array): { toString(): string };
}

const load = <T>(path: string) => import(new URL(path, import.meta.url).href) as Promise<T>;
const PASSPHRASE = "gateway-e2e-passphrase";

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

export interface AgencySpec {
  id: string;
  region: string;
  roles: string[];
}

export interface NetworkNode {
  spec: AgencySpec;
  signer: Signer;
  dataDir: string;
  apiPort: number;
  gatewayUrl: string;
  config: unknown;
  peer: RunningPeer | null;
  log: string[];
}

function memoryLogger(lines: string[], module: string): Logger {
  const keep =
    (level: string) =>
    (msg: string, fields: Record<string, unknown> = {}) => {
      lines.push(`${level} ${module} ${msg} ${JSON.stringify(fields)}`);
      if (lines.length > 400) lines.shift();
    };
  return {
    debug() {},
    info: keep("info"),
    warn: keep("warn"),
    error: keep("error"),
    child: (n) => memoryLogger(lines, `${module}.${n}`),
  };
}

/** Config sections to add per agency; objects are merged into the sections the network writes (e.g. `api`). */
export type ExtraConfig = (spec: AgencySpec) => Record<string, Record<string, unknown>>;

/**
 * Keystores, a genesis file and a peer config with a `gateway` section per agency, every agency a validator over
 * loopback libp2p; each gateway knows the others' URLs.
 */
export async function prepareNetwork(
  dir: string,
  chainId: string,
  specs: AgencySpec[],
  extra: ExtraConfig = () => ({}),
): Promise<NetworkNode[]> {
  const keystore = await load<KeystoreModule>("../../../../keystore/dist/src/index.js");
  const p2p = await load<P2pModule>("../../../../p2p/dist/src/index.js");
  const peer = await load<PeerModule>("../../../../peer/dist/src/index.js");
  const nodes = await Promise.all(
    specs.map(async (spec) => {
      const { signer } = await keystore.generateKeystore(join(dir, `${spec.id}.key.json`), {
        agency: spec.id,
        passphrase: PASSPHRASE,
        kdf: { N: 1 << 14, r: 8, p: 1 },
      });
      return {
        spec,
        signer,
        p2pPort: await freePort(),
        apiPort: await freePort(),
        gatewayPort: await freePort(),
      };
    }),
  );
  const genesis = {
    chainId,
    genesisTime: new Date(Date.now() - 60_000).toISOString().replace(/\.\d{3}Z$/, "Z"),
    agencies: nodes.map((n) => ({
      id: n.spec.id,
      name: n.spec.id,
      region: n.spec.region,
      publicKey: toHex(n.signer.publicKey),
      roles: n.spec.roles,
      balance: "1000000",
    })),
    validators: nodes.map((n) => ({ agency: n.spec.id, power: 10 })),
  };
  await writeFile(join(dir, "genesis.json"), JSON.stringify(genesis));
  const url = (n: (typeof nodes)[number]) => `http://127.0.0.1:${n.gatewayPort}`;
  const addr = (n: (typeof nodes)[number]) =>
    `/ip4/127.0.0.1/tcp/${n.p2pPort}/p2p/${p2p.peerIdFromPublicKey(n.signer.publicKey).toString()}`;
  return Promise.all(
    nodes.map(async (n) => {
      const dataDir = join(dir, n.spec.id, "db");
      await mkdir(join(dir, n.spec.id), { recursive: true });
      const doc: Record<string, unknown> = {
        genesis: "genesis.json",
        keystore: `${n.spec.id}.key.json`,
        store: { kind: "pglite", dataDir: `${n.spec.id}/db` },
        p2p: { listen: `/ip4/127.0.0.1/tcp/${n.p2pPort}`, peers: nodes.filter((o) => o !== n).map(addr) },
        api: { host: "127.0.0.1", port: n.apiPort },
        consensus: { timeoutProposeMs: 1500, timeoutVoteMs: 500, timeoutDeltaMs: 250, timeoutCommitMs: 100 },
        gateway: {
          port: n.gatewayPort,
          publicUrl: url(n),
          peers: Object.fromEntries(nodes.filter((o) => o !== n).map((o) => [o.spec.id, url(o)])),
          receiptBatchWaitMs: 200,
          receiptIntervalMs: 100,
          receiptAckWaitMs: 1500,
        },
      };
      for (const [section, fields] of Object.entries(extra(n.spec)))
        doc[section] = { ...(doc[section] as Record<string, unknown> | undefined), ...fields };
      return {
        spec: n.spec,
        signer: n.signer,
        dataDir,
        apiPort: n.apiPort,
        gatewayUrl: url(n),
        config: peer.parsePeerConfig(doc, dir),
        peer: null,
        log: [],
      };
    }),
  );
}

/** Puts rows into an agency's own store before its peer opens it. */
export async function seedRows(
  node: NetworkNode,
  dataset: string,
  rows: Record<string, Record<string, unknown>>,
) {
  const store = await openStore({ kind: "pglite", dataDir: node.dataDir });
  try {
    await store.localData.upsertRows(
      dataset,
      Object.entries(rows).map(([key, fields]) => ({ key, fields })),
      Date.now(),
    );
  } finally {
    await store.close();
  }
}

export async function startNodes(nodes: NetworkNode[]): Promise<void> {
  const peer = await load<PeerModule>("../../../../peer/dist/src/index.js");
  await Promise.all(
    nodes.map(async (n) => {
      n.peer = await peer.startPeer(n.config, PASSPHRASE, memoryLogger(n.log, n.spec.id));
    }),
  );
}

export async function stopNodes(nodes: NetworkNode[]): Promise<void> {
  await Promise.all(
    nodes.map(async (n) => {
      await n.peer?.stop();
      n.peer = null;
    }),
  );
}

export async function api<T>(node: NetworkNode, path: string, body?: Uint8Array): Promise<T> {
  const res = await fetch(
    `http://127.0.0.1:${node.apiPort}${path}`,
    body ? { method: "POST", body: body as Uint8Array<ArrayBuffer> } : {},
  );
  return (await res.json()) as T;
}

/** Polls until `probe` yields a value `check` accepts; fails with the last value seen. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T>,
  check: (v: T) => boolean,
  timeoutMs: number,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last = await probe();
  while (!check(last)) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; last seen ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 100));
    last = await probe();
  }
  return last;
}
