import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { jsonLogger, parsePeerConfig, startPeer } from "@coken/peer";
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
