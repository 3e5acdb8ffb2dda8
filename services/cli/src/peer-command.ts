import { readPeerConfig } from "@coken/peer/config";
import { type Command, str } from "./command.js";
import { UsageError } from "./commands.js";

/**
 * `coken peer start --config FILE`: runs a peer until SIGINT/SIGTERM (passphrase from COKEN_KEYSTORE_PASSPHRASE).
 * Logs JSON lines on stderr. A config or genesis problem is thrown as a ConfigError whose message names the
 * file, the field and what was expected (printed without a stack, exit 1).
 */
export async function peerStart(configFile: string, env: NodeJS.ProcessEnv): Promise<number> {
  const config = await readPeerConfig(configFile);
  const passphrase = env.COKEN_KEYSTORE_PASSPHRASE;
  if (!passphrase) throw new UsageError("set COKEN_KEYSTORE_PASSPHRASE to the keystore passphrase");
  // Loaded here, not at the top: the peer (gateway, libp2p, store) takes a second to load, which no other
  // command needs to pay.
  const { jsonLogger, startPeer } = await import("@coken/peer");
  const log = jsonLogger(
    (line) => process.stderr.write(line),
    "peer",
    env.COKEN_LOG_LEVEL === "debug" ? "debug" : "info",
  );
  // Listening before the start: a first signal during it stops the peer cleanly once started (a second one,
  // with no listener left, kills the process as before).
  const stopRequested = new Promise<void>((done) => {
    process.once("SIGINT", done);
    process.once("SIGTERM", done);
  });
  const peer = await startPeer(config, passphrase, log);
  await stopRequested;
  log.info("stopping");
  await peer.stop();
  return 0;
}

export const peerCommands: Command[] = [
  {
    words: ["peer", "start"],
    summary: "run an agency's peer (ledger, consensus, libp2p, operator API, gateway) until SIGINT/SIGTERM",
    details:
      "The keystore passphrase comes from COKEN_KEYSTORE_PASSPHRASE. Logs are JSON lines on stderr\n(COKEN_LOG_LEVEL=debug for more). `npm run peer -- --config FILE` runs it with the heap settings a peer needs.",
    options: {
      config: { type: "string", value: "FILE", description: "the peer's config file", required: true },
    },
    async run({ values }, env) {
      const config = str(values, "config");
      if (!config) throw new UsageError("peer start needs --config");
      return { code: await peerStart(config, env), out: "" };
    },
  },
];
