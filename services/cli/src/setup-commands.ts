import { type Command, flag, str } from "./command.js";
import { UsageError } from "./commands.js";
import { referenceMarkdown, referenceText } from "./config-docs.js";
import { init } from "./init-command.js";

/** Setting up a new agency: its folder, keys and documented config. */
export const setupCommands: Command[] = [
  {
    words: ["init"],
    summary: "set up a new agency's peer: keystore, a config documenting every field, an operator token",
    details: [
      "Creates DIR (default ./coken-<agency>) holding keystore.json (passphrase from COKEN_KEYSTORE_PASSPHRASE),",
      "peer.jsonc (every config field, the unset ones commented out at their defaults) and operator.token",
      "(32 random bytes, hex, created with mode 0600). Refuses to overwrite any of them without --force.",
      "Prints the peer id and what to do next: have the agency added to the genesis, then start the peer.",
      "",
      "example:",
      "  COKEN_KEYSTORE_PASSPHRASE=... coken init --agency sh.land-registry --region CN-SH --name 'Shanghai land registry'",
    ].join("\n"),
    options: {
      agency: {
        type: "string",
        value: "ID",
        description: "the agency id (lower-case, e.g. sh.land-registry)",
        required: true,
      },
      region: {
        type: "string",
        value: "R",
        description: "the agency's region code (e.g. CN-SH)",
        required: true,
      },
      name: { type: "string", value: "NAME", description: "the agency's display name (default: its id)" },
      dir: {
        type: "string",
        value: "DIR",
        description: "folder to create the files in (default ./coken-<agency>)",
      },
      genesis: {
        type: "string",
        value: "FILE",
        description: "the network's genesis file (default DIR/genesis.json)",
      },
      listen: {
        type: "string",
        value: "MULTIADDR",
        description: "libp2p listen address (default /ip4/0.0.0.0/tcp/7100)",
      },
      "api-port": {
        type: "string",
        value: "N",
        description: "operator API port on 127.0.0.1 (default 7001)",
      },
      "gateway-port": {
        type: "string",
        value: "N",
        description: "also configure the GraphQL gateway on this port",
      },
      force: { type: "boolean", description: "replace existing keystore, config and token files" },
    },
    async run({ values }, env) {
      const agency = str(values, "agency");
      const region = str(values, "region");
      if (!agency || !region) throw new UsageError("init needs --agency and --region");
      return init(
        {
          agency,
          region,
          name: str(values, "name"),
          dir: str(values, "dir"),
          genesis: str(values, "genesis"),
          listen: str(values, "listen"),
          apiPort: str(values, "api-port"),
          gatewayPort: str(values, "gateway-port"),
          force: flag(values, "force"),
        },
        env,
      );
    },
  },
  {
    words: ["config", "reference"],
    summary: "print every peer config field with its type, default and meaning",
    details: "The same descriptions coken init writes into peer.jsonc; --markdown for the README's table.",
    options: {
      markdown: { type: "boolean", description: "print a Markdown table" },
    },
    async run({ values }) {
      return { code: 0, out: flag(values, "markdown") ? referenceMarkdown() : referenceText() };
    },
  },
];
