// The light entry of the package (`@coken/peer/config`): reading and checking configs, genesis files and block
// JSON, without loading the peer itself (gateway, libp2p node, store). The CLI's commands that only read files
// start in a fraction of the time.
export * from "./api-chain.js";
export * from "./config.js";
export { ConfigError } from "./config-fields.js";
export * from "./config-reference.js";
export * from "./json-text.js";
