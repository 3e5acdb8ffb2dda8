import { auditCommands } from "./audit-command.js";
import type { Command } from "./command.js";
import { creditsCommands } from "./credits-command.js";
import { datasetCommands } from "./dataset-command.js";
import { datasetStatusCommand } from "./dataset-status.js";
import { devnetCommands } from "./devnet-command.js";
import { nodeCommands } from "./node-commands.js";
import { peerCommands } from "./peer-command.js";
import { regulatorCommands } from "./regulator-command.js";
import { setupCommands } from "./setup-commands.js";
import { txCommands } from "./tx-commands.js";
import { zkCommands } from "./zk-command.js";

/** Every `coken` command, in the order `coken --help` lists them. */
export const COMMANDS: readonly Command[] = [
  ...setupCommands,
  ...devnetCommands,
  ...nodeCommands,
  ...auditCommands,
  ...peerCommands,
  ...txCommands,
  ...creditsCommands,
  ...regulatorCommands,
  ...datasetCommands,
  datasetStatusCommand,
  ...zkCommands,
];
