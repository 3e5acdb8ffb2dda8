/** Structured logger; modules get a child with their name. Fields carry ids and counts, never row data. */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(module: string): Logger;
}

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

export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child: () => silentLogger,
};
