import type { FieldSpec } from "@coken/ledger";
import type { ZkErrorCode } from "../errors.js";
import type { CommitmentData, CommitOptions } from "./dataset.js";
import type { DatasetRow } from "./rows.js";
import type { PackedCommitted } from "./transfer.js";

/** What the building process is sent: the layout, the rows in pages, then the end. */
export type ToBuilder =
  | { type: "start"; fields: readonly FieldSpec[]; options: CommitOptions & { threads?: number } }
  | { type: "rows"; rows: readonly DatasetRow[] }
  | { type: "end" };

/** What it answers: the packed arrays one message each (`index` in `PackedCommitted.arrays`), then the rest. */
export type FromBuilder =
  | { type: "array"; index: number; data: BigUint64Array | Uint32Array }
  | {
      type: "done";
      commitment: CommitmentData;
      shape: PackedCommitted["shape"];
      arrays: number;
      /** The building process's peak resident memory, bytes. */
      peakRss: number;
    }
  | { type: "failed"; code: ZkErrorCode; message: string; details?: Record<string, unknown> };
