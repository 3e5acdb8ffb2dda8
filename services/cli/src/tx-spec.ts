import type { TxKind } from "@coken/ledger";
import type { OptionSpec, OptionValues } from "./command.js";
import type { TxRequest } from "./tx-submit.js";

/** One `coken tx <name>` command: its flags and how they make the tx. */
export interface TxSpec {
  name: string;
  kind: TxKind;
  summary: string;
  details?: string;
  options: Record<string, OptionSpec>;
  /** Throws UsageError naming the flag for bad input; reads files but touches no network. */
  build(values: OptionValues): TxRequest | Promise<TxRequest>;
}

/** A `--reason` every regulator and revocation tx carries. */
export const REASON: OptionSpec = {
  type: "string",
  value: "TEXT",
  description: "why (kept on the ledger)",
  required: true,
};
