export * from "./canonical-json.js";
export * from "./envelope.js";
export * from "./hashes.js";
export * from "./wire.js";
