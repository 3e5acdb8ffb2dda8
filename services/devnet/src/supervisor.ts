import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { AgencyNode } from "./layout.js";

/** Heap settings of a peer process, as `npm run peer` gives them (README: why the cap). */
export const PEER_NODE_FLAGS = ["--max-old-space-size=192", "--max-semi-space-size=8"];

interface Running {
  node: AgencyNode;
  child: ChildProcess;
  log: WriteStream;
  exited: Promise<number | null>;
}

/**
 * Runs one `coken peer start` process per agency, each logging JSON lines to its own file, and stops them all
 * together. A peer that exits on its own is reported through `onExit` (the devnet then shuts down).
 */
export class PeerSupervisor {
  readonly #running: Running[] = [];
  #stopping = false;

  constructor(
    private readonly dir: string,
    private readonly cli: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly onExit: (node: AgencyNode, code: number | null) => void,
  ) {}

  start(node: AgencyNode): void {
    const log = createWriteStream(join(this.dir, node.log), { flags: "a" });
    const child = spawn(
      process.execPath,
      [...PEER_NODE_FLAGS, this.cli, "peer", "start", "--config", join(this.dir, node.config)],
      // Own process group: Ctrl-C reaches the devnet, which stops the peers in order.
      // Two malloc arenas: a prover thread's allocator pools are returned when it stops (~+6 MiB kept, not ~+28).
      { env: { MALLOC_ARENA_MAX: "2", ...this.env }, stdio: ["ignore", "ignore", "pipe"], detached: true },
    );
    child.stderr?.pipe(log);
    const pidFile = join(this.dir, node.id, PID_FILE);
    if (child.pid !== undefined) void writeFile(pidFile, `${child.pid}\n`).catch(() => {});
    const exited = new Promise<number | null>((resolve) =>
      child.once("exit", (code) => {
        if (!this.#stopping) this.onExit(node, code);
        void rm(pidFile, { force: true }).then(() => resolve(code));
      }),
    );
    this.#running.push({ node, child, log, exited });
  }

  pids(): { agency: string; pid: number }[] {
    return this.#running.map((r) => ({ agency: r.node.id, pid: r.child.pid ?? -1 }));
  }

  /** SIGTERM to every peer, then waits for each to close its store; SIGKILL after `graceMs`. */
  async stop(graceMs = 20_000): Promise<void> {
    this.#stopping = true;
    for (const r of this.#running) if (r.child.exitCode === null) r.child.kill("SIGTERM");
    await Promise.all(
      this.#running.map(async (r) => {
        const timer = setTimeout(() => r.child.kill("SIGKILL"), graceMs);
        await r.exited;
        clearTimeout(timer);
        await new Promise<void>((done) => r.log.end(done));
      }),
    );
  }
}

/** The last lines of an agency's log, for a report of why it stopped. */
export async function logTail(dir: string, node: AgencyNode, lines = 8): Promise<string> {
  try {
    return (await readFile(join(dir, node.log), "utf8")).trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

const PID_FILE = "peer.pid";

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * Stops peers an earlier devnet left running (its supervisor was killed outright, so it could not stop them):
 * a pid file whose process still runs this agency's config is sent SIGTERM and waited for.
 */
export async function reapStalePeers(
  dir: string,
  nodes: AgencyNode[],
  say: (text: string) => void,
): Promise<void> {
  for (const node of nodes) {
    const pidFile = join(dir, node.id, PID_FILE);
    const pid = Number((await readFile(pidFile, "utf8").catch(() => "")).trim());
    if (!Number.isInteger(pid) || pid <= 0) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
    if (alive(pid) && cmdline.includes(join(dir, node.config))) {
      say(`Stopping ${node.id}'s peer left running by an earlier devnet (pid ${pid}) ...`);
      process.kill(pid, "SIGTERM");
      for (let i = 0; i < 200 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
      if (alive(pid)) process.kill(pid, "SIGKILL");
    }
    await rm(pidFile, { force: true });
  }
}
