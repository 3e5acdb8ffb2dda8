import type { StoreConfig } from "@coken/store";
import { type Command, str } from "./command.js";
import { chainVerify, genesisCheck, keysGenerate, keysShow, UsageError } from "./commands.js";
import { genesisAddAgency, genesisNew } from "./genesis-edit.js";

/** Keys, genesis and stored-chain commands: they work on files and need no running peer. */
export const nodeCommands: Command[] = [
  {
    words: ["keys", "generate"],
    summary: "create an agency's Ed25519 signing key in a passphrase-encrypted keystore file",
    details: "The passphrase comes from COKEN_KEYSTORE_PASSPHRASE. Refuses to overwrite an existing file.",
    options: {
      agency: { type: "string", value: "ID", description: "the agency id the key signs for", required: true },
      out: { type: "string", value: "FILE", description: "keystore file to write", required: true },
    },
    async run({ values }, env) {
      const agency = str(values, "agency");
      const out = str(values, "out");
      if (!agency || !out) throw new UsageError("keys generate needs --agency and --out");
      return keysGenerate({ agency, out }, env);
    },
  },
  {
    words: ["keys", "show"],
    args: "FILE",
    summary:
      "print the public part of a keystore, its libp2p peer id and multiaddr form (no passphrase needed)",
    details:
      "The multiaddr is a template: the other agencies list it, with this peer's host and p2p port filled in,\nunder p2p.peers in their configs.",
    options: {},
    async run({ positionals }) {
      const [file] = positionals;
      if (!file) throw new UsageError("keys show needs the keystore FILE");
      return keysShow(file);
    },
  },
  {
    words: ["genesis", "new"],
    summary: "start a genesis file with no agencies yet (genesis add-agency adds each)",
    options: {
      "chain-id": {
        type: "string",
        value: "ID",
        description: "the chain id (e.g. coken-prod)",
        required: true,
      },
      out: {
        type: "string",
        value: "FILE",
        description: "genesis file to create (never overwritten)",
        required: true,
      },
      hash: { type: "string", value: "ALG", description: "hash algorithm: sha256 (default) or sm3" },
      time: {
        type: "string",
        value: "ISO",
        description: "genesis time, UTC (default: now), e.g. 2026-01-01T00:00:00Z",
      },
    },
    async run({ values }) {
      const chainId = str(values, "chain-id");
      const out = str(values, "out");
      if (!chainId || !out) throw new UsageError("genesis new needs --chain-id and --out");
      return genesisNew({ chainId, out, hash: str(values, "hash"), time: str(values, "time") });
    },
  },
  {
    words: ["genesis", "add-agency"],
    args: "FILE",
    summary: "add the agency of a keystore (its public key; no passphrase) to a genesis file",
    details: [
      "Refuses an agency id or key the file already lists. The result is checked with the genesis rules before",
      "the file is replaced (through a temp file and a rename). A validator gets a validators entry with --power.",
    ].join("\n"),
    options: {
      keystore: {
        type: "string",
        value: "FILE",
        description: "the agency's keystore (public part read)",
        required: true,
      },
      region: {
        type: "string",
        value: "R",
        description: "the agency's region code (e.g. CN-SH)",
        required: true,
      },
      name: { type: "string", value: "NAME", description: "display name (default: the agency id)" },
      roles: {
        type: "string",
        value: "LIST",
        description: "comma-separated roles (default validator,member)",
      },
      power: { type: "string", value: "N", description: "voting power of a validator (default 10)" },
      balance: { type: "string", value: "N", description: "initial credit balance, decimal (default 0)" },
    },
    async run({ values, positionals }) {
      const [file] = positionals;
      const keystore = str(values, "keystore");
      const region = str(values, "region");
      if (!file || !keystore || !region)
        throw new UsageError("genesis add-agency needs the genesis FILE, --keystore and --region");
      return genesisAddAgency({
        file,
        keystore,
        region,
        name: str(values, "name"),
        roles: str(values, "roles"),
        power: str(values, "power"),
        balance: str(values, "balance"),
      });
    },
  },
  {
    words: ["genesis", "check"],
    args: "FILE",
    summary: "validate a genesis file; print its hash and the height-0 app hash",
    options: {},
    async run({ positionals }) {
      const [file] = positionals;
      if (!file) throw new UsageError("genesis check needs the genesis FILE");
      return genesisCheck(file);
    },
  },
  {
    words: ["chain", "verify"],
    summary: "replay a stored chain from genesis and check every block, result and app hash (read-only)",
    details:
      "Never creates or migrates anything: a missing folder or a database without the Coken schema is an error.",
    options: {
      genesis: { type: "string", value: "FILE", description: "the network's genesis file", required: true },
      pglite: { type: "string", value: "DIR", description: "a peer's PGlite data folder" },
      postgres: { type: "string", value: "URL", description: "a peer's PostgreSQL database" },
      api: { type: "string", value: "URL", description: "or a live peer's operator API (over HTTP)" },
    },
    async run({ values }) {
      const genesis = str(values, "genesis");
      const pglite = str(values, "pglite");
      const postgres = str(values, "postgres");
      const api = str(values, "api");
      if (api !== undefined) {
        if (!genesis || pglite !== undefined || postgres !== undefined)
          throw new UsageError("chain verify --api URL needs --genesis and neither --pglite nor --postgres");
        // Loaded on use: it brings the store's replay (and its database code) with it.
        return (await import("./remote-verify.js")).chainVerifyRemote(genesis, api);
      }
      if (!genesis || (pglite === undefined) === (postgres === undefined))
        throw new UsageError("chain verify needs --genesis and one of --pglite or --postgres");
      const store: StoreConfig =
        pglite !== undefined
          ? { kind: "pglite", dataDir: pglite }
          : { kind: "postgres", url: postgres as string };
      return chainVerify(genesis, store);
    },
  },
];
