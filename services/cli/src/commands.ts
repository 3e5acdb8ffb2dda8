import { generateKeystore, readKeystoreFile } from "@coken/keystore";
import {
  createHasher,
  createVerifier,
  fromHex,
  type Genesis,
  genesisHash,
  genesisState,
  toHex,
} from "@coken/ledger";
import { peerIdFromPublicKey } from "@coken/p2p";
import { ConfigError, readGenesisFile } from "@coken/peer/config";
import type { Store, StoreConfig } from "@coken/store";

/** What a command prints and its exit code; commands never write to the console themselves. */
export interface CommandResult {
  readonly code: number;
  readonly out: string;
}

export class UsageError extends Error {
  override readonly name = "UsageError";
}

function passphraseFrom(env: NodeJS.ProcessEnv): string {
  const p = env.COKEN_KEYSTORE_PASSPHRASE;
  if (p === undefined || p.length === 0)
    throw new UsageError("set COKEN_KEYSTORE_PASSPHRASE to the keystore passphrase");
  return p;
}

/** `coken keys generate --agency ID --out FILE`: a new Ed25519 key in an encrypted keystore file. */
export async function keysGenerate(
  opts: { agency: string; out: string },
  env: NodeJS.ProcessEnv,
): Promise<CommandResult> {
  const { signer } = await generateKeystore(opts.out, {
    agency: opts.agency,
    passphrase: passphraseFrom(env),
  });
  return {
    code: 0,
    out: `agency ${opts.agency}\nscheme ed25519\npublicKey ${toHex(signer.publicKey)}\nkeystore ${opts.out}\n`,
  };
}

/**
 * `coken keys show FILE`: the public part of a keystore (no passphrase needed), with the libp2p peer id the key
 * gives and the multiaddr form the other agencies list in `p2p.peers`.
 */
export async function keysShow(file: string): Promise<CommandResult> {
  const k = await readKeystoreFile(file);
  const publicKey = fromHex(k.publicKey);
  const peerId =
    k.scheme === "ed25519" && publicKey !== undefined ? peerIdFromPublicKey(publicKey).toString() : null;
  return {
    code: 0,
    out: [
      `agency ${k.agency}`,
      `scheme ${k.scheme}`,
      `publicKey ${k.publicKey}`,
      `createdAt ${k.createdAt}`,
      ...(peerId === null ? [] : [`peerId ${peerId}`, `multiaddr /ip4/<host>/tcp/<port>/p2p/${peerId}`]),
      "",
    ].join("\n"),
  };
}

/** Reads and parses a genesis file; a refusal (naming the file and the field) comes back as the result. */
async function loadGenesis(file: string): Promise<Genesis | CommandResult> {
  try {
    return await readGenesisFile(file);
  } catch (e) {
    if (e instanceof ConfigError) return { code: 1, out: `${e.message}\n` };
    throw e;
  }
}

/**
 * `coken chain verify --genesis FILE (--pglite DIR | --postgres URL)`: replays a stored chain from genesis and
 * checks every block hash, tx result and app hash, and the stored state. Read-only: a missing or empty store is
 * an error and nothing is created or migrated.
 */
export async function chainVerify(genesisFile: string, config: StoreConfig): Promise<CommandResult> {
  // The store (PGlite, drizzle) takes a second to load: only this command pays for it.
  const { openStore, ReplayError, replayStoredChain, StoreError } = await import("@coken/store");
  const genesis = await loadGenesis(genesisFile);
  if ("code" in genesis) return genesis;
  let store: Store;
  try {
    store = await openStore(config, { create: false });
  } catch (e) {
    if (e instanceof StoreError && (e.code === "NO_STORE" || e.code === "SCHEMA_OUTDATED"))
      return { code: 1, out: `no chain to verify: ${e.message}\n` };
    throw e;
  }
  try {
    const r = await replayStoredChain(store, genesis, createVerifier());
    return {
      code: 0,
      out: `${heightLines(r)}appHash ${toHex(r.appHash)}\ntxs ${r.txs}\nreceipts ${r.receipts}\n`,
    };
  } catch (e) {
    if (e instanceof ReplayError)
      return { code: 1, out: `chain does not verify: ${e.code} at ${e.message}\n` };
    throw e;
  } finally {
    await store.close();
  }
}

/**
 * "verified height" is the last block a certificate authenticates; the replay may go one block further when the
 * newest block has no seen commit (which is then said). Trailing blocks cut off together with their certificates
 * cannot be noticed: the verified height is what was checked, not the chain's height.
 */
export function heightLines(r: { height: number; verifiedHeight: number }): string {
  const note = r.verifiedHeight < r.height ? ` (block ${r.height} has no certificate)` : "";
  return `verified height ${r.verifiedHeight}\nreplayed height ${r.height}${note}\n`;
}

/** `coken genesis check FILE`: validates a genesis file and prints its hash and initial app hash. */
export async function genesisCheck(file: string): Promise<CommandResult> {
  const genesis = await loadGenesis(file);
  if ("code" in genesis) return genesis;
  const h = createHasher(genesis.hashAlgorithm);
  return {
    code: 0,
    out: [
      `chainId ${genesis.chainId}`,
      `hashAlgorithm ${genesis.hashAlgorithm}`,
      `agencies ${genesis.agencies.length}`,
      `validators ${genesis.validators.length}`,
      `genesisHash ${toHex(genesisHash(h, genesis))}`,
      `appHash ${toHex(genesisState(genesis).appHash())}`,
      "",
    ].join("\n"),
  };
}
