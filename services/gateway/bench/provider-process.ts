import { openStore, type StoreConfig } from "@coken/store";
import type { ReceiptCommit } from "../src/receipts/issuer.js";
import { providerServers } from "./paths.js";
import { benchLedger, seedRows } from "./world.js";

/**
 * The provider agency in a process of its own, as a peer runs it: the bench ledger, its own store (PGlite on disk
 * or a PostgreSQL database) with the rows, the bare yoga server and the gateway with the provider endpoint.
 * Told its settings as JSON in argv; answers `usage` with its resident memory now, its highest since the last
 * `usage` (sampled every 50 ms) and the CPU time it has used so far; `close` by leaving.
 */
export interface ProviderProcessConfig {
  now: number;
  store: StoreConfig;
  receiptCommit: ReceiptCommit;
  /** Create and fill the store, then exit: a peer's PGlite is created once (initdb) and reopened at every start. */
  prepareOnly?: boolean;
}

export type ProviderProcessMessage =
  | { type: "ready"; bareUrl: string; gatewayUrl: string }
  | { type: "usage"; rss: number; peakRss: number; cpuUs: number };

const config = JSON.parse(process.argv[2] ?? "{}") as ProviderProcessConfig;
const send = (msg: ProviderProcessMessage) => process.send?.(msg);
const { ledger } = benchLedger(config.now);
const store = await openStore(config.store);
await seedRows(store, config.now);
if (config.prepareOnly) {
  await store.close();
  process.exit(0);
}
const servers = await providerServers(ledger, store, config.receiptCommit);
let peak = 0;
setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 50).unref();
process.on("message", async (msg: { type: "usage" | "close" }) => {
  if (msg.type === "usage") {
    const rss = process.memoryUsage().rss;
    const cpu = process.cpuUsage();
    send({ type: "usage", rss, peakRss: Math.max(peak, rss), cpuUs: cpu.user + cpu.system });
    peak = 0;
  } else {
    await servers.close();
    await store.close();
    process.disconnect();
  }
});
send({ type: "ready", bareUrl: servers.bareUrl, gatewayUrl: servers.gatewayUrl });
