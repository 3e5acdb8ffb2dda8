/** Where a peer's memory is, as `/v1/status` reports it (bytes). */
export interface MemoryStatus {
  /** Resident set: everything below, code, and what malloc holds. */
  rssBytes: number;
  /** Live and not yet collected JS objects. */
  heapUsedBytes: number;
  /** The JS heap reserved by V8 (bounded by --max-old-space-size plus the young generation). */
  heapTotalBytes: number;
  /** Memory of C++ objects bound to JS objects, ArrayBuffers and WebAssembly memories included. */
  externalBytes: number;
  /** ArrayBuffer and Buffer contents (tx bytes, blocks, messages). */
  arrayBuffersBytes: number;
  /** The embedded store's WebAssembly memory (PGlite), 0 on a database server. */
  storeWasmBytes: number;
}

/** The process's memory now, with the store's WebAssembly memory when it has one. */
export function memoryStatus(store: { wasmMemoryBytes?(): number }): MemoryStatus {
  const m = process.memoryUsage();
  return {
    rssBytes: m.rss,
    heapUsedBytes: m.heapUsed,
    heapTotalBytes: m.heapTotal,
    externalBytes: m.external,
    arrayBuffersBytes: m.arrayBuffers,
    storeWasmBytes: store.wasmMemoryBytes?.() ?? 0,
  };
}
