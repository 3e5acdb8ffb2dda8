export * from "./errors.js";
export * from "./federation/types.js";
