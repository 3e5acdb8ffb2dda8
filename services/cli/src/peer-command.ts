import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { jsonLogger, parsePeerConfig, startPeer } from "@coken/peer";
import { type Command, str } from "./command.js";
import { UsageError } from "./commands.js";

/**
 * `coken peer start --config FILE`: runs a peer until SIGINT/SIGTERM (passphrase from COKEN_KEYSTORE_PASSPHRASE).
 * Logs JSON lines on stderr.
 */
export async function peerStart(configFile: string, env: NodeJS.ProcessEnv): Promise<number> {
  const passphrase = env.COKEN_KEYSTORE_PASSPHRASE;
  if (!passphrase) throw new UsageError("set COKEN_KEYSTORE_PASSPHRASE to the keystore passphrase");
  const path = resolve(configFile);
  const config = parsePeerConfig(JSON.parse(await readFile(path, "utf8")), dirname(path));
  const log = jsonLogger(
    (line) => process.stderr.write(line),
    "peer",
    env.COKEN_LOG_LEVEL === "debug" ? "debug" : "info",
  );
  const peer = await startPeer(config, passphrase, log);
  await new Promise<void>((done) => {
    process.once("SIGINT", done);
    process.once("SIGTERM", done);
  });
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
