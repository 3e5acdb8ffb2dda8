import { createWriteStream } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { type ExportBlock, exportArchive, storedExportSource } from "@coken/auditor";
import { fromHex, parseGenesis } from "@coken/ledger";
import type { BlockSource } from "@coken/store";
import type { AuditReads } from "./api-audit.js";
import type { AuditJob } from "./chain-audit-worker.js";
import type { Logger } from "./log.js";

export type ChainAuditErrorCode = "TOO_LONG" | "TIMED_OUT" | "CLOSED";

/** Why this peer did not audit its chain; `coken audit` does it offline without these bounds. */
export class ChainAuditError extends Error {
  override readonly name = "ChainAuditError";
  constructor(
    readonly code: ChainAuditErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface ChainAuditOptions {
  /** The longest chain audited here, in blocks. */
  maxBlocks: number;
  /** A run (export and replay) still going after this long is stopped. */
  timeoutMs: number;
  /** Old-generation heap of the replay's worker thread, MiB. */
  maxHeapMb: number;
}

export const DEFAULT_CHAIN_AUDIT: ChainAuditOptions = {
  maxBlocks: 20_000,
  timeoutMs: 60_000,
  maxHeapMb: 256,
};

export interface ChainAuditComponents {
  agency: string;
  /** The genesis file the peer runs: the auditor trusts it, as `coken audit --genesis` does. */
  genesisFile: string;
  /** The peer's own blocks (`storeBlockSource(store)`). */
  blocks: BlockSource;
  /** The proofs and verification keys this peer keeps for auditors. */
  kept: AuditReads;
  /** The committed height now. */
  height(): number;
  now(): number;
  log: Logger;
}

/** One audit's outcome; `report` is the JSON text `coken audit --report` writes. */
export interface ChainAuditResult {
  ok: boolean;
  height: number;
  discrepancyCount: number;
  report: string;
}

export interface ChainAudit {
  /** The report of the committed chain: the last one while the height is the same, else a new run. */
  run(): Promise<ChainAuditResult>;
  /** Stops a run in progress; later runs are refused. */
  close(): Promise<void>;
}

/**
 * Audits this peer's own chain on request, with the auditor's code as `coken audit --api` runs it: the blocks up to
 * the committed height, the seen commit, the kept proofs and keys are exported into an archive in a scratch folder,
 * then audited and reported in a worker thread (the replay and the proof checks never hold up consensus). Bounded:
 * one run at a time (callers meanwhile share it), a block limit, a deadline and a heap limit.
 */
export function createChainAudit(options: ChainAuditOptions = DEFAULT_CHAIN_AUDIT) {
  return (c: ChainAuditComponents): ChainAudit => {
    let last: ChainAuditResult | null = null;
    let running: Promise<ChainAuditResult> | null = null;
    let worker: Worker | null = null;
    let closed = false;

    async function exportTo(archive: string, height: number, deadline: number): Promise<string> {
      const genesisText = await readFile(c.genesisFile, "utf8");
      const source = storedExportSource(
        c.blocks,
        height,
        parseGenesis(JSON.parse(genesisText)),
        genesisText,
        {
          key: async (hash) => (await c.kept.key(hash)) ?? undefined,
          proof: async (receipt) => (await c.kept.proof(fromHex(receipt) as Uint8Array)) ?? undefined,
        },
      );
      const blocks = source.blocks;
      source.blocks = (async function* (): AsyncGenerator<ExportBlock> {
        for await (const b of blocks) {
          if (closed) throw new ChainAuditError("CLOSED", "the peer is stopping");
          if (c.now() > deadline)
            throw new ChainAuditError("TIMED_OUT", `the audit took longer than ${options.timeoutMs} ms`);
          yield b;
        }
      })();
      const stream = createWriteStream(archive);
      const done = new Promise<void>((resolve, reject) => {
        stream.once("error", reject);
        stream.once("finish", resolve);
      });
      try {
        await exportArchive(source, (bytes) =>
          stream.write(bytes) ? undefined : new Promise<void>((r) => stream.once("drain", () => r())),
        );
      } finally {
        stream.end();
      }
      await done;
      return genesisText;
    }

    function replay(job: AuditJob, deadline: number): Promise<string> {
      return new Promise((resolve, reject) => {
        const w = new Worker(new URL("./chain-audit-worker.js", import.meta.url), {
          workerData: job,
          resourceLimits: { maxOldGenerationSizeMb: options.maxHeapMb },
        });
        worker = w;
        const timer = setTimeout(
          () => {
            reject(new ChainAuditError("TIMED_OUT", `the audit took longer than ${options.timeoutMs} ms`));
            void w.terminate();
          },
          Math.max(0, deadline - c.now()),
        );
        const settle = () => {
          clearTimeout(timer);
          if (worker === w) worker = null;
          void w.terminate();
        };
        w.once("message", (report: string) => {
          settle();
          resolve(report);
        });
        w.once("error", (e) => {
          settle();
          reject(e);
        });
        w.once("exit", (code) => {
          settle();
          reject(closed ? new ChainAuditError("CLOSED", "the peer is stopping") : new Error(`exit ${code}`));
        });
      });
    }

    async function audit(height: number): Promise<ChainAuditResult> {
      const started = c.now();
      const deadline = started + options.timeoutMs;
      const dir = await mkdtemp(join(tmpdir(), "coken-chain-audit-"));
      try {
        const archive = join(dir, "chain.archive");
        const genesisText = await exportTo(archive, height, deadline);
        const report = await replay(
          {
            archive,
            genesisText,
            source: { kind: "api", name: `peer ${c.agency}` },
            auditedAt: new Date(started).toISOString(),
          },
          deadline,
        );
        const parsed = JSON.parse(report) as { ok: boolean; height: number; discrepancyCount: number };
        const summary = { ok: parsed.ok, height: parsed.height, discrepancyCount: parsed.discrepancyCount };
        c.log.info("chain audited", { ...summary, ms: c.now() - started });
        return { ...summary, report };
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }

    return {
      run() {
        if (closed) return Promise.reject(new ChainAuditError("CLOSED", "the peer is stopping"));
        if (running !== null) return running;
        const height = c.height();
        if (last !== null && last.height === height) return Promise.resolve(last);
        if (height > options.maxBlocks)
          return Promise.reject(
            new ChainAuditError(
              "TOO_LONG",
              `the chain has ${height} blocks, more than the ${options.maxBlocks} audited here: run coken audit`,
            ),
          );
        running = audit(height).then(
          (r) => {
            last = r;
            running = null;
            return r;
          },
          (e: unknown) => {
            running = null;
            throw e;
          },
        );
        return running;
      },
      async close() {
        closed = true;
        await worker?.terminate();
        await running?.catch(() => {});
      },
    };
  };
}
