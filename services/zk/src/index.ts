export * from "./api.js";
export * from "./circuits.js";
export * from "./compile.js";
export * from "./errors.js";
