import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

/**
 * Lets the curve keep its own threads inside a prover thread. ffjavascript starts them through the `web-worker`
 * package, which decides once, when first loaded, whether it runs in the main thread; inside any other thread it
 * only offers the worker side and every nested thread fails. Loaded before snarkjs, this puts the main-thread
 * behaviour (start a thread running web-worker's own entry with the script to run) into the module cache.
 */
export function enableNestedCurveThreads(): void {
  const require = createRequire(import.meta.url);
  const entry = createRequire(require.resolve("ffjavascript")).resolve("web-worker");
  const cache = require.cache as Record<string, unknown>;
  if (cache[entry] !== undefined) return;

  class NestedWorker extends EventTarget {
    readonly #worker: Worker;
    constructor(url: string | URL, options: { name?: string; type?: string } = {}) {
      super();
      this.#worker = new Worker(entry, {
        workerData: { mod: String(url), name: options.name, type: options.type },
      });
      this.#worker.on("message", (data: unknown) =>
        this.dispatchEvent(new MessageEvent("message", { data })),
      );
      this.#worker.on("error", (error: Error) =>
        this.dispatchEvent(Object.assign(new Event("error"), { error })),
      );
      this.#worker.on("exit", () => this.dispatchEvent(new Event("close")));
    }
    postMessage(data: unknown, transfer?: readonly ArrayBuffer[]): void {
      this.#worker.postMessage(data, transfer as ArrayBuffer[] | undefined);
    }
    terminate(): void {
      void this.#worker.terminate();
    }
  }
  cache[entry] = { id: entry, filename: entry, loaded: true, exports: NestedWorker, children: [], paths: [] };
}
