import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { FieldSpec } from "@coken/ledger";
import { ZkError } from "../errors.js";
import type { FromBuilder, ToBuilder } from "./build-messages.js";
import type { BuiltCommitment, CommitOptions } from "./dataset.js";
import type { DatasetRow } from "./rows.js";
import { type PackedCommitted, unpackCommitted } from "./transfer.js";

const ENTRY = fileURLToPath(new URL("./build-process.js", import.meta.url));

export interface IsolatedBuild extends BuiltCommitment {
  /** Peak resident memory of the building process, bytes. */
  buildPeakRss: number;
}

/**
 * `buildDatasetCommitmentParallel` in a process of its own. Building a 2^20-row commitment allocates gigabytes
 * of short-lived bigints and buffers; in the peer's process the allocator keeps much of that after the build
 * (measured: hundreds of MiB beyond the trees), in a child it goes back to the system when the child exits.
 * The rows are sent page by page as they are read, so neither process holds them twice, and the packed trees
 * come back one array per message. Same result as the in-process build; the same ZkError codes on bad rows;
 * BUILD_FAILED when the child ends without a result.
 */
export async function buildDatasetCommitmentIsolated(
  fields: readonly FieldSpec[],
  pages: AsyncIterable<readonly DatasetRow[]> | Iterable<readonly DatasetRow[]>,
  options: CommitOptions & { threads?: number } = {},
): Promise<IsolatedBuild> {
  const child = fork(ENTRY, [], {
    serialization: "advanced",
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    execArgv: [],
  });
  const arrays: PackedCommitted["arrays"] = [];
  let reported: ZkError | undefined;
  const result = new Promise<IsolatedBuild>((resolve, reject) => {
    const failed = (message: string) => reject(new ZkError("BUILD_FAILED", message));
    child.on("message", (msg: FromBuilder) => {
      if (msg.type === "array") arrays[msg.index] = msg.data;
      else if (msg.type === "failed") {
        reported = new ZkError(msg.code, msg.message, msg.details);
        reject(reported);
      } else if (arrays.length !== msg.arrays)
        failed(`commitment build: ${arrays.length} of ${msg.arrays} arrays`);
      else {
        try {
          const dataset = unpackCommitted({ shape: msg.shape, arrays });
          resolve({ commitment: msg.commitment, dataset, buildPeakRss: msg.peakRss });
        } catch (err) {
          failed(`commitment build: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    });
    child.on("error", (err) => failed(`commitment build: ${err.message}`));
    // After the process ended and its channel closed, so every message it sent has been seen.
    child.on("close", (code, signal) =>
      failed(`commitment build process ended without a result (${signal ?? `exit code ${code}`})`),
    );
  });
  // The result may settle (fail) while rows are still being sent; it is awaited below.
  result.catch(() => {});
  const send = (msg: ToBuilder): Promise<void> =>
    new Promise((resolve, reject) => {
      if (!child.connected) return reject(new ZkError("BUILD_FAILED", "commitment build process is gone"));
      child.send(msg, (err) => (err ? reject(err) : resolve()));
    });
  try {
    await send({ type: "start", fields, options });
    for await (const rows of pages) await send({ type: "rows", rows });
    await send({ type: "end" });
  } catch (err) {
    child.kill();
    await result.catch(() => {});
    // A failure the child reported explains more than the broken channel it caused.
    throw reported ?? err;
  }
  return result.finally(() => {
    if (child.exitCode === null) child.kill();
  });
}
