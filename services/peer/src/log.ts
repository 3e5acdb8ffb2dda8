import type { Logger } from "@coken/gateway";

// One logger interface for every component of a peer (the gateway's, which the peer wires in).
export { type Logger, silentLogger } from "@coken/gateway";

/** JSON lines on a writable stream (stderr for a peer process). */
export function jsonLogger(
  write: (line: string) => void,
  module = "peer",
  minLevel: "debug" | "info" = "info",
): Logger {
  const emit =
    (level: string) =>
    (msg: string, fields: Record<string, unknown> = {}) => {
      if (level === "debug" && minLevel !== "debug") return;
      write(`${JSON.stringify({ time: new Date().toISOString(), level, module, msg, ...fields })}\n`);
    };
  return {
    debug: emit("debug"),
    info: emit("info"),
    warn: emit("warn"),
    error: emit("error"),
    child: (name) => jsonLogger(write, `${module}.${name}`, minLevel),
  };
}
