import { isZkError } from "../errors.js";
import type { FromBuilder, ToBuilder } from "./build-messages.js";
import { buildDatasetCommitmentParallel } from "./parallel.js";
import type { DatasetRow } from "./rows.js";
import { packCommitted } from "./transfer.js";

/**
 * The process `buildDatasetCommitmentIsolated` starts: gathers the rows it is sent, builds the commitment on its
 * own hash threads, sends the packed trees back one array at a time and exits, so that what the build allocates
 * is given back to the system with the process rather than kept by the peer's.
 */
const send = (msg: FromBuilder): Promise<void> =>
  new Promise((resolve, reject) =>
    process.send?.(msg, undefined, undefined, (err) => (err ? reject(err) : resolve())),
  );

let start: Extract<ToBuilder, { type: "start" }> | undefined;
const rows: DatasetRow[] = [];

async function build(): Promise<void> {
  try {
    if (start === undefined) throw new Error("rows came before the layout");
    const built = await buildDatasetCommitmentParallel(start.fields, rows, start.options);
    rows.length = 0;
    const { shape, arrays } = packCommitted(built.dataset);
    for (const [index, data] of arrays.entries()) await send({ type: "array", index, data });
    const peakRss = process.resourceUsage().maxRSS * 1024;
    await send({ type: "done", commitment: built.commitment, shape, arrays: arrays.length, peakRss });
  } catch (err) {
    await send(
      isZkError(err)
        ? {
            type: "failed",
            code: err.code,
            message: err.message,
            ...(err.details ? { details: err.details } : {}),
          }
        : { type: "failed", code: "BUILD_FAILED", message: err instanceof Error ? err.message : String(err) },
    );
  }
  process.disconnect();
}

process.on("message", (msg: ToBuilder) => {
  if (msg.type === "start") start = msg;
  else if (msg.type === "rows") for (const row of msg.rows) rows.push(row);
  else void build();
});
// The peer went away: nobody wants the result.
process.on("disconnect", () => process.exit(0));
