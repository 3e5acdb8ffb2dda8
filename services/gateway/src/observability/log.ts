/** Structured logger; modules get a child with their name. Fields carry ids, codes and counts, never row data. */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(module: string): Logger;
}

export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child: () => silentLogger,
};

/** A logger that keeps entries in memory, for tests that check what was (and was not) logged. */
export function memoryLogger(
  entries: { level: string; module: string; msg: string; fields: Record<string, unknown> }[] = [],
  module = "gateway",
): Logger & { entries: typeof entries } {
  const emit =
    (level: string) =>
    (msg: string, fields: Record<string, unknown> = {}) => {
      entries.push({ level, module, msg, fields });
    };
  return {
    entries,
    debug: emit("debug"),
    info: emit("info"),
    warn: emit("warn"),
    error: emit("error"),
    child: (name) => memoryLogger(entries, `${module}.${name}`),
  };
}
