import { randomBytes } from "node:crypto";
import { lstat, mkdir, open, rename, unlink } from "node:fs/promises";
import { basename, dirname, join, relative, resolve } from "node:path";
import { generateKeystore } from "@coken/keystore";
import { toHex } from "@coken/ledger";
import { peerIdFromPublicKey } from "@coken/p2p";
import { ConfigError, parsePeerConfigText } from "@coken/peer/config";
import { type CommandResult, UsageError } from "./commands.js";
import { commentedConfig } from "./config-docs.js";

export interface InitOptions {
  agency: string;
  region: string;
  name: string | undefined;
  dir: string | undefined;
  genesis: string | undefined;
  listen: string | undefined;
  apiPort: string | undefined;
  gatewayPort: string | undefined;
  force: boolean;
}

const KEYSTORE = "keystore.json";
const CONFIG = "peer.jsonc";
const TOKEN = "operator.token";

function port(text: string | undefined, option: string, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > 65535) throw new UsageError(`--${option}: expected a port number 0..65535`);
  return n;
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw e;
  }
}

/**
 * Creates `path` holding `text` with `mode` from the start (the mode is given to open(), never changed after
 * the secret is in the file). Without `replace` an existing file is never touched; with it, a temp file is
 * renamed over the old one.
 */
async function writeNew(path: string, text: string, mode: number, replace: boolean): Promise<void> {
  const target = replace
    ? join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`)
    : path;
  const fh = await open(target, "wx", mode);
  try {
    await fh.writeFile(text, "utf8");
    await fh.sync();
  } finally {
    await fh.close();
  }
  if (replace) await rename(target, path);
}

const shellQuote = (s: string) => (/^[\w./:@-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`);

/**
 * `coken init`: a new agency's folder with its keystore, a peer config documenting every field, and an
 * operator token (mode 0600). Checks the config it writes with the peer's own parser before writing anything.
 */
export async function init(opts: InitOptions, env: NodeJS.ProcessEnv): Promise<CommandResult> {
  const passphrase = env.COKEN_KEYSTORE_PASSPHRASE;
  if (!passphrase) throw new UsageError("set COKEN_KEYSTORE_PASSPHRASE to the new keystore's passphrase");
  const dir = opts.dir ?? `coken-${opts.agency}`;
  const listen = opts.listen ?? "/ip4/0.0.0.0/tcp/7100";
  const apiPort = port(opts.apiPort, "api-port", 7001);
  const gatewayPort = opts.gatewayPort === undefined ? undefined : port(opts.gatewayPort, "gateway-port", 0);
  const genesis = opts.genesis === undefined ? "genesis.json" : relative(resolve(dir), resolve(opts.genesis));
  const values: Record<string, unknown> = {
    genesis,
    keystore: KEYSTORE,
    store: { kind: "pglite", dataDir: "data" },
    p2p: { listen, peers: [] },
    api: { host: "127.0.0.1", port: apiPort, tokenFile: TOKEN },
    ...(gatewayPort === undefined
      ? {}
      : { gateway: { port: gatewayPort, publicUrl: `http://127.0.0.1:${gatewayPort}` } }),
  };
  const text = commentedConfig(values, [
    `Coken peer of agency ${opts.agency} (${opts.region}), written by coken init.`,
    ...(gatewayPort === undefined
      ? []
      : ["Set gateway.publicUrl to the URL the other agencies reach this gateway at."]),
  ]);
  const configPath = join(dir, CONFIG);
  try {
    parsePeerConfigText(text, configPath);
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(`the config would be refused: ${e.message}`);
    throw e;
  }

  const paths = [KEYSTORE, CONFIG, TOKEN].map((f) => join(dir, f));
  const present = [];
  for (const p of paths) if (await exists(p)) present.push(p);
  if (present.length > 0 && !opts.force)
    throw new Error(`refusing to overwrite ${present.join(", ")} (--force replaces them)`);

  await mkdir(dir, { recursive: true, mode: 0o700 });
  const [keystorePath = "", , tokenPath = ""] = paths;
  // The keystore is built aside and renamed into place, so --force never leaves a folder without one.
  const fresh = join(dir, `.${KEYSTORE}.${randomBytes(6).toString("hex")}.tmp`);
  const { signer } = await generateKeystore(fresh, { agency: opts.agency, passphrase });
  const written: string[] = [];
  try {
    await writeNew(tokenPath, `${randomBytes(32).toString("hex")}\n`, 0o600, opts.force);
    written.push(tokenPath);
    await writeNew(configPath, text, 0o644, opts.force);
    written.push(configPath);
    if (!opts.force && (await exists(keystorePath))) throw new Error(`${keystorePath} appeared meanwhile`);
    await rename(fresh, keystorePath);
  } catch (e) {
    // Without --force nothing existed before: leave nothing half made.
    for (const p of opts.force ? [fresh] : [fresh, ...written]) await unlink(p).catch(() => {});
    throw e;
  }

  const peerId = peerIdFromPublicKey(signer.publicKey).toString();
  const tcp = /\/tcp\/(\d+)/.exec(listen)?.[1] ?? "<port>";
  const name = opts.name ?? opts.agency;
  return {
    code: 0,
    out: [
      `created ${dir}/`,
      `  ${KEYSTORE}   agency ${opts.agency}, publicKey ${toHex(signer.publicKey)}`,
      `  ${CONFIG}      peer config, every field documented (coken config reference)`,
      `  ${TOKEN}   operator API bearer token, mode 0600`,
      `peerId ${peerId}`,
      `multiaddr /ip4/<host>/tcp/${tcp}/p2p/${peerId}   (for the other agencies' p2p.peers)`,
      "",
      "next steps:",
      "  1. whoever assembles the network's genesis adds this agency (public part of the keystore only):",
      `       coken genesis add-agency ${shellQuote(opts.genesis ?? "GENESIS")} --keystore ${shellQuote(keystorePath)} --region ${shellQuote(opts.region)} --name ${shellQuote(name)}`,
      `  2. put the final genesis at ${shellQuote(opts.genesis ?? join(dir, genesis))} and the other agencies' multiaddrs in p2p.peers`,
      "  3. start the peer:",
      `       COKEN_KEYSTORE_PASSPHRASE=... coken peer start --config ${shellQuote(configPath)}`,
      "",
    ].join("\n"),
  };
}
