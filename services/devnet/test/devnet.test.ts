import assert from "node:assert/strict";
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { runDashboardChecks } from "@coken/dashboard/browser-checks";

// What a newcomer does, as the README says it: `npm start`, then `coken demo` in another shell, Ctrl-C, and
// `npm start` again resumes the same chain. Small datasets and depth-4 keys (built once into the test cache); at
// this size the devnet requires well-formedness evidence, so every proved answer runs the strict path.
const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const CLI = join(ROOT, "services/cli/dist/src/main.js");
const ZK_CACHE = process.env.COKEN_ZK_TEST_CACHE ?? join(tmpdir(), "coken-zk-test-cache");
const run = promisify(execFile);

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once("error", () => resolve(false));
    s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
  });
}

/** A base port whose 60 ports above are free now. */
async function freeBase(): Promise<number> {
  for (;;) {
    const base = 20_000 + Math.floor(Math.random() * 2_000) * 10;
    let ok = true;
    for (let p = base; p < base + 60 && ok; p++) ok = await portFree(p);
    if (ok) return base;
  }
}

interface Devnet {
  child: ChildProcess;
  out: string[];
  err: string[];
  exited: Promise<number | null>;
}

/** `npm start -- ...` in its own process group, so a SIGINT to the group is a Ctrl-C in a terminal. */
function npmStart(args: string[]): Devnet {
  const child = spawn("npm", ["start", "--", ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const d: Devnet = {
    child,
    out: [],
    err: [],
    exited: new Promise((resolve) => child.once("exit", (code) => resolve(code))),
  };
  child.stdout?.setEncoding("utf8").on("data", (s: string) => d.out.push(s));
  child.stderr?.setEncoding("utf8").on("data", (s: string) => d.err.push(s));
  return d;
}

async function waitForOutput(d: Devnet, pattern: RegExp, timeoutMs: number): Promise<string> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const text = d.out.join("");
    if (pattern.test(text)) return text;
    if (d.child.exitCode !== null || Date.now() > end)
      assert.fail(`no ${pattern} in the devnet's output:\n${text}\n${d.err.join("").slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function ctrlC(d: Devnet): Promise<string> {
  if (d.child.pid !== undefined && d.child.exitCode === null) process.kill(-d.child.pid, "SIGINT");
  await d.exited;
  return d.out.join("");
}

async function coken(args: string[]): Promise<{ code: number; out: string; err: string }> {
  try {
    const r = await run(process.execPath, [CLI, ...args], { maxBuffer: 16 << 20 });
    return { code: 0, out: r.stdout, err: r.stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: x.code ?? -1, out: x.stdout ?? "", err: x.stderr ?? "" };
  }
}

const heightOf = async (apiPort: number) =>
  ((await (await fetch(`http://127.0.0.1:${apiPort}/v1/status`)).json()) as { height: number }).height;

describe("npm start, coken demo, Ctrl-C, npm start again", () => {
  let dir = "";
  const running: Devnet[] = [];

  after(async () => {
    for (const d of running) await ctrlC(d);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("brings up a seeded devnet, plays the demo green, stops cleanly and resumes the same chain", async (t) => {
    dir = await mkdtemp(join(tmpdir(), "coken-devnet-"));
    const net = join(dir, "net");
    const base = await freeBase();
    const args = ["--dir", net, "--size", "small", "--base-port", String(base), "--zk-cache", ZK_CACHE];
    const first = npmStart(args);
    running.push(first);
    const table = await waitForOutput(first, /Ctrl-C stops every peer/, 600_000);
    assert.match(table, /Creating devnet coken-devnet-/);
    for (const agency of [
      "hn.land-registry",
      "hn.tax-bureau",
      "gd.housing-authority",
      "gd.bank",
      "gd.courts",
    ])
      assert.match(table, new RegExp(`${agency.replace(".", "\\.")}\\s+(HN|GD)`), `${agency} in the table`);
    assert.match(table, new RegExp(`http://127\\.0\\.0\\.1:${base + 2}/graphql`));

    // The ports are taken now: a second devnet on them says which port and which flag, without a stack trace.
    const clash = await coken(["devnet", "start", "--dir", join(dir, "other"), "--base-port", String(base)]);
    assert.equal(clash.code, 1);
    assert.match(
      clash.err,
      new RegExp(`port ${base} \\(hn\\.land-registry libp2p\\) is in use.*--base-port`),
    );
    assert.doesNotMatch(clash.err, /\n\s+at /, "no stack trace");

    const demo = await coken(["demo", "--dir", net, "--json"]);
    const report = JSON.parse(demo.out) as {
      ok: boolean;
      steps: { title: string; ok: boolean; detail: string; data?: unknown }[];
    };
    assert.deepEqual(
      report.steps.filter((s) => !s.ok).map((s) => `${s.title}: ${s.detail}`),
      [],
      "every step of the demo holds",
    );
    assert.equal(demo.code, 0);
    assert.ok(report.steps.length >= 8);
    const titles = report.steps.map((s) => s.title).join("\n");
    for (const part of [
      /proved COUNT/,
      /proved yes\/no/,
      /without a grant/,
      /freezes gd\.bank/,
      /access log/,
      /共票 credits: the demo's answers earn/,
      /voucher is verified/,
      /chain verify/,
      /[Ww]ell-formedness evidence/,
    ])
      assert.match(titles, part);

    // Strict at this size: every dataset the demo asked a proved query of has its evidence proved by its owner
    // and verified by each asker, for the commitment in force.
    const evidence =
      report.steps.find((s) => /[Ww]ell-formedness evidence/.test(s.title)) ??
      assert.fail("no evidence step");
    assert.equal(evidence.ok, true, evidence.detail);
    for (const line of [evidence.title, ...evidence.detail.split("\n")]) t.diagnostic(`demo: ${line}`);
    const { strict, datasets } = evidence.data as {
      strict: boolean;
      datasets: {
        dataset: string;
        root: string;
        evidence: { state: string; chunks?: number } | null;
        askers: { asker: string; record: { root: string; rowCount: number; chunks: number } | null }[];
      }[];
    };
    assert.equal(strict, true);
    const asked = datasets.filter((d) => d.askers.length > 0);
    assert.deepEqual(
      asked.map((d) => d.dataset),
      ["hn.land/properties", "hn.tax/income"],
    );
    for (const d of asked) {
      assert.equal(d.evidence?.state, "proved", d.dataset);
      assert.equal(
        d.evidence?.chunks,
        16,
        `${d.dataset}: 15 rows and the reserved leaf, one chunk proof each`,
      );
      for (const a of d.askers) {
        assert.equal(a.record?.root, d.root, `${a.asker} verified ${d.dataset}'s commitment in force`);
        assert.equal(a.record?.rowCount, 15);
        assert.equal(a.record?.chunks, 16);
      }
    }

    const manifest = JSON.parse(await readFile(join(net, "devnet.json"), "utf8")) as {
      chainId: string;
      agencies: { id: string; apiPort: number; gatewayPort: number }[];
    };

    // The dashboard, in headless Chromium, against the same devnet; screenshots in test-artifacts/dashboard.
    assert.match(table, new RegExp(`Dashboard: http://127\\.0\\.0\\.1:${base + 2}/dashboard/`));
    const checks = await runDashboardChecks({
      dashboards: Object.fromEntries(
        manifest.agencies.map((a) => [a.id, `http://127.0.0.1:${a.gatewayPort}/dashboard/`]),
      ),
      grantor: "hn.land-registry",
      grantee: "gd.courts",
      regulator: "cn.regulator",
      dataset: "hn.land/properties",
      count: { field: "owner", from: "p-0000001", to: "p-0000009" },
      // The demo's audit step wrote it: coken audit --api of the land registry's peer.
      auditReport: join(net, "demo-audit.json"),
      artifacts: join(ROOT, "test-artifacts", "dashboard"),
    });
    for (const s of checks.steps) t.diagnostic(`dashboard: ${s.title}: ${s.ms} ms`);
    t.diagnostic(`dashboard: ${checks.screenshots.length} screenshots: ${checks.screenshotMs} ms`);
    const apiPort = manifest.agencies[0]?.apiPort as number;
    const heightBefore = await heightOf(apiPort);
    const stopped = await ctrlC(first);
    running.pop();
    assert.match(stopped, /stopping every peer/);
    assert.match(stopped, /Every peer stopped\./);
    assert.equal(await portFree(apiPort), true, "the peers are gone");

    const second = npmStart(args);
    running.push(second);
    const resumed = await waitForOutput(second, /Ctrl-C stops every peer/, 300_000);
    assert.match(resumed, new RegExp(`Resuming devnet ${manifest.chainId}`));
    assert.doesNotMatch(resumed, /Seeding/, "a resumed devnet is not seeded again");
    assert.ok((await heightOf(apiPort)) >= heightBefore, "the same chain goes on");
    await ctrlC(second);
    running.pop();
  });
});
