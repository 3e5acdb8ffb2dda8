import { createHash } from "node:crypto";
import { posix } from "node:path";
import { type Genesis, parseGenesis } from "@coken/ledger";
import type { PeerConfig } from "@coken/peer";
import * as peer from "@coken/peer";

type ConfigTextParser = (text: string, file: string) => PeerConfig;

/**
 * A peer config as the peer reads it, from its text, as if the file lived at `path` inside the machine that runs
 * the peer (relative paths in it are taken from there). The peer's own text reader (JSON with comments) when the
 * package has one, else JSON.parse and parsePeerConfig, as `coken peer start` did before it.
 */
export function parseConfig(text: string, path: string): PeerConfig {
  const fromText = (peer as unknown as Record<string, unknown>).parsePeerConfigText;
  if (typeof fromText === "function") return (fromText as ConfigTextParser)(text, path);
  return peer.parsePeerConfig(JSON.parse(text), posix.dirname(path));
}

/** A genesis file's text, parsed and checked by the ledger's own rules. */
export function parseGenesisText(text: string): Genesis {
  return parseGenesis(JSON.parse(text));
}

/** Every file a config makes the peer read, by the field that names it. */
export function filesNamed(c: PeerConfig): { field: string; path: string }[] {
  const out = [
    { field: "genesis", path: c.genesis },
    { field: "keystore", path: c.keystore },
  ];
  if (c.api.tokenFile !== null) out.push({ field: "api.tokenFile", path: c.api.tokenFile });
  const g = c.gateway;
  if (g?.tls)
    out.push({ field: "gateway.tls.key", path: g.tls.key }, { field: "gateway.tls.cert", path: g.tls.cert });
  if (g?.trustedDocuments) out.push({ field: "gateway.trustedDocuments", path: g.trustedDocuments });
  return out;
}

/** Folders a config makes the peer write to. */
export function foldersWritten(c: PeerConfig): { field: string; path: string }[] {
  const out: { field: string; path: string }[] = [];
  if (c.store.kind === "pglite" && c.store.dataDir !== undefined)
    out.push({ field: "store.dataDir", path: c.store.dataDir });
  if (c.zk !== undefined) out.push({ field: "zk.cacheDir", path: c.zk.cacheDir });
  return out;
}

const BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

function base58(bytes: Uint8Array): string {
  let n = BigInt(`0x${Buffer.from(bytes).toString("hex")}`);
  let out = "";
  while (n > 0n) {
    out = BASE58[Number(n % 58n)] + out;
    n /= 58n;
  }
  for (const b of bytes) {
    if (b !== 0) break;
    out = `1${out}`;
  }
  return out;
}

/**
 * The libp2p peer id of an agency's Ed25519 key, computed here rather than by the p2p package so that the check
 * is independent of it: base58btc of the identity multihash of the protobuf-encoded public key.
 */
export function peerIdOf(publicKey: Uint8Array): string {
  const protobuf = Buffer.concat([Buffer.from([0x08, 0x01, 0x12, publicKey.length]), publicKey]);
  return base58(Buffer.concat([Buffer.from([0x00, protobuf.length]), protobuf]));
}

/** The agency whose key has `peerId`, by genesis. */
export function agencyOfPeerId(genesis: Genesis, peerId: string): string | undefined {
  return genesis.agencies.find((a) => peerIdOf(a.publicKey) === peerId)?.id;
}

export interface PeerAddress {
  host: string;
  port: number;
  peerId: string | undefined;
}

/** Host, TCP port and peer id of a multiaddr such as /dns4/host/tcp/4001/p2p/12D3…; null when not of that form. */
export function tcpAddress(ma: string): PeerAddress | null {
  const m = /^\/(?:ip4|ip6|dns|dns4|dns6)\/([^/]+)\/tcp\/(\d+)(?:\/p2p\/([^/]+))?$/.exec(ma);
  if (!m) return null;
  return { host: m[1] as string, port: Number(m[2]), peerId: m[3] };
}

/** A peer of one deployment: its name there (service, unit instance) and its parsed config. */
export interface DeployedPeer {
  name: string;
  config: PeerConfig;
}

/**
 * Checks that the peers of one deployment can find each other: each libp2p address and gateway URL in a config
 * reaches another peer of the deployment (`reach` maps host and port to its name and which of its ports it is),
 * every address of one peer carries the same peer id, that id is a genesis agency's, and gateway URLs are keyed
 * by the agency that really answers there.
 */
export function checkPeerLists(
  peers: DeployedPeer[],
  genesis: Genesis,
  reach: (host: string, port: number) => { name: string; port: "p2p" | "gateway" | "other" } | null,
): string[] {
  const problems: string[] = [];
  const idOf = new Map<string, string>();
  for (const p of peers) {
    if (tcpAddress(p.config.p2p.listen) === null)
      problems.push(`${p.name}: p2p.listen is not a TCP multiaddr`);
    for (const ma of p.config.p2p.peers) {
      const a = tcpAddress(ma);
      const target = a && reach(a.host, a.port);
      if (!a?.peerId) problems.push(`${p.name}: p2p peer ${ma} is not /<host>/tcp/<port>/p2p/<id>`);
      else if (target?.port !== "p2p")
        problems.push(`${p.name}: p2p peer ${ma} reaches no peer's libp2p port`);
      else if (target.name === p.name) problems.push(`${p.name}: lists itself as a p2p peer`);
      else if (agencyOfPeerId(genesis, a.peerId) === undefined)
        problems.push(`${p.name}: p2p peer ${ma} has a peer id of no genesis agency`);
      else if ((idOf.get(target.name) ?? a.peerId) !== a.peerId)
        problems.push(
          `${p.name}: p2p peer ${ma} gives ${target.name} another peer id than the other configs`,
        );
      else idOf.set(target.name, a.peerId);
    }
  }
  const ids = [...idOf.values()];
  if (new Set(ids).size !== ids.length) problems.push("two peers are given the same peer id");
  for (const p of peers) {
    const g = p.config.gateway;
    if (g === undefined) continue;
    for (const [agency, url] of Object.entries(g.peers)) {
      const u = new URL(url);
      const target = reach(u.hostname, Number(u.port || (u.protocol === "https:" ? 443 : 80)));
      const id = target ? idOf.get(target.name) : undefined;
      if (target?.port !== "gateway") problems.push(`${p.name}: gateway peer ${url} reaches no gateway`);
      else if (id !== undefined && agencyOfPeerId(genesis, id) !== agency)
        problems.push(
          `${p.name}: gateway.peers names ${agency} but ${url} is ${agencyOfPeerId(genesis, id)}`,
        );
    }
  }
  return problems;
}

/** Problems of a trusted-documents manifest: each id must be the SHA-256 of its document, as the gateway checks. */
export function checkTrustedDocuments(text: string, file: string): string[] {
  const manifest = JSON.parse(text) as Record<string, unknown>;
  return Object.entries(manifest)
    .filter(([id, doc]) => typeof doc !== "string" || createHash("sha256").update(doc).digest("hex") !== id)
    .map(([id]) => `${file}: document ${id} is not the SHA-256 of its text`);
}
