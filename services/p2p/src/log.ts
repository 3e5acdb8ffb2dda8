/** Structured fields of a log line: ids, sizes, counts, reasons. Never message bodies. */
export type LogFields = Readonly<Record<string, unknown>>;

/** The logger the network writes to; plug in the peer's own structured logger. */
export interface NetworkLogger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
}

const noop = (): void => {};

/** The default: writes nothing. */
export const silentLogger: NetworkLogger = { debug: noop, info: noop, warn: noop };

/** The message of an unknown thrown value, for logs and error frames (never its stack or data). */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
