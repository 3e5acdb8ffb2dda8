import type { StoreConfig } from "@coken/store";
import { type Command, str } from "./command.js";
import { chainVerify, genesisCheck, keysGenerate, keysShow, UsageError } from "./commands.js";
import { chainVerifyRemote } from "./remote-verify.js";

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
    summary: "print the public part of a keystore (no passphrase needed)",
    options: {},
    async run({ positionals }) {
      const [file] = positionals;
      if (!file) throw new UsageError("keys show needs the keystore FILE");
      return keysShow(file);
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
        return chainVerifyRemote(genesis, api);
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
