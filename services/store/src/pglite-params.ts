import { PGlite } from "@electric-sql/pglite";

/**
 * PGlite's start parameters: its own defaults plus a 16 MiB buffer pool. initdb writes Postgres's 128 MiB default,
 * and PGlite's WebAssembly memory holds the whole pool from the start (it can grow, never shrink), which costs a
 * peer ~110 MiB of resident memory for caching what the OS page cache holds anyway. Cache size only: no
 * change to what is stored or when it is written. (Parameters given replace PGlite's defaults, so they are kept.)
 */
export const PGLITE_START_PARAMS: readonly string[] = [
  ...PGlite.defaultStartParams,
  "-c",
  "shared_buffers=16MB",
];
