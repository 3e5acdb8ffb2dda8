import type { Command } from "./command.js";

/** One command per ledger transaction kind, signed with the agency's keystore and submitted to its peer. */
export const txCommands: Command[] = [];
