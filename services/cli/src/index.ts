export * from "./commands.js";
