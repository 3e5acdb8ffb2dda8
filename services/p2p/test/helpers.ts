import { createHash } from "node:crypto";
import type { PeerId } from "@libp2p/interface";
import { createNetwork, type Network, type NetworkInit, peerIdFromSeed } from "../src/index.js";
import type { LogFields, NetworkLogger } from "../src/log.js";

export const CHAIN = "coken-test";
export const LOOPBACK = "/ip4/127.0.0.1/tcp/0";

/** A fixed 32-byte seed per index, so peer ids are known before any node starts. */
export function seedFor(i: number): Uint8Array {
  return new Uint8Array(createHash("sha256").update(`coken-p2p-test-${i}`).digest());
}

/** Polls `condition` every `intervalMs` until it holds; fails with `what` after `timeoutMs`. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  { timeoutMs = 15_000, intervalMs = 20 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** A settable clock for scores and bans. */
export class FakeClock {
  constructor(public ms = 1_700_000_000_000) {}
  readonly now = (): number => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

/** A logger that keeps every line, to wait for events such as a refused connection. */
export class RecordingLogger implements NetworkLogger {
  readonly lines: { level: string; msg: string; fields: LogFields }[] = [];
  debug = (msg: string, fields: LogFields = {}): void =>
    void this.lines.push({ level: "debug", msg, fields });
  info = (msg: string, fields: LogFields = {}): void => void this.lines.push({ level: "info", msg, fields });
  warn = (msg: string, fields: LogFields = {}): void => void this.lines.push({ level: "warn", msg, fields });
  count(msg: string, match: LogFields = {}): number {
    return this.lines.filter(
      (l) => l.msg === msg && Object.entries(match).every(([k, v]) => l.fields[k] === v),
    ).length;
  }
}

/** Fast redial for tests: a dropped peer is retried within a fraction of a second. */
export const FAST_REDIAL = { minDelayMs: 50, maxDelayMs: 300, dialTimeoutMs: 3_000 };

/** Ids of the peers with seeds 0..n-1. */
export async function peerIds(n: number): Promise<PeerId[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => peerIdFromSeed(seedFor(i))));
}

/** Creates and starts a network with test defaults; `overrides` win. */
export async function startNode(i: number, allow: readonly PeerId[], overrides: Partial<NetworkInit> = {}) {
  const net = await createNetwork({
    chainId: CHAIN,
    seed: seedFor(i),
    listen: [LOOPBACK],
    allow,
    redial: FAST_REDIAL,
    inboundConnectionThreshold: 100,
    ...overrides,
  });
  await net.start();
  return net;
}

/**
 * Starts n allow-listed nodes; node i is configured with the addresses of nodes 0..i-1, so every pair has one
 * side that dials at start and redials when the connection drops. Resolves once all are fully connected.
 */
export async function startCluster(n: number, overrides: (i: number) => Partial<NetworkInit> = () => ({})) {
  const ids = await peerIds(n);
  const nodes: Network[] = [];
  for (let i = 0; i < n; i++) {
    const peers = nodes.flatMap((node) => node.addresses());
    nodes.push(await startNode(i, ids, { peers, ...overrides(i) }));
  }
  await waitFor(() => nodes.every((node) => node.peers().length === n - 1), "full mesh");
  return { nodes, ids };
}

/** Stops every network, even if some stop fails. */
export async function stopAll(nodes: readonly (Network | undefined)[]): Promise<void> {
  await Promise.allSettled(nodes.map((n) => n?.stop()));
}

/** Whether `list` holds `peer`. */
export function hasPeer(list: readonly PeerId[], peer: PeerId): boolean {
  return list.some((p) => p.equals(peer));
}
