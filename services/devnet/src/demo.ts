import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { endpointsOf, signerOf } from "./bootstrap.js";
import { apiGet, DevnetError, type Endpoints, graphql, graphqlData, submitAndWait, until } from "./client.js";
import { askAroundTheGateway } from "./demo-around.js";
import { auditStep } from "./demo-audit.js";
import { creditSnapshot, creditsEarnedStep, redemptionStep } from "./demo-credits.js";
import { evidenceStep, type ProvedCall } from "./demo-evidence.js";
import { type DevnetManifest, readManifest } from "./layout.js";
import { seedRows } from "./seed.js";
import { formatTable } from "./table.js";

/**
 * `coken demo`: the devnet's story against the running peers. Every answer is checked against what the synthetic
 * rows say (the demo regenerates them), every proof must verify, and each step says what it expected.
 */

const HOUSING = "gd.housing-authority";
const LAND = "hn.land-registry";
const TAX = "hn.tax-bureau";
const BANK = "gd.bank";
const COURTS = "gd.courts";
const REGULATOR = "cn.regulator";
const PROPERTIES = "hn.land/properties";
const INCOME = "hn.tax/income";

export interface DemoStep {
  title: string;
  ok: boolean;
  /** What was expected and what came back, for people. */
  detail: string;
  data?: unknown;
}

export interface DemoOptions {
  dir: string;
  cli: string;
  /** Progress for people (each step as it completes); silent with --json. */
  onStep(step: DemoStep): void;
}

const PROOF = "proof { system verified commitment circuit } receipt { id }";

interface Proved {
  proof: { system: string; verified: boolean; commitment: string; circuit: string };
  receipt: { id: string };
}

/** Asks `provider`'s dataset through `asker`'s gateway; the answer field or the first error's code. */
async function ask(
  asker: Endpoints,
  region: string,
  provider: string,
  dataset: string,
  field: string,
): Promise<{ data: Proved & Record<string, unknown> } | { code: string; message: string }> {
  const r = await graphql(
    asker.gateway,
    `{ region(id: "${region}") { agency(id: "${provider}") { dataset(id: "${dataset}") { ${field} } } } }`,
  );
  const e = r.errors?.[0];
  if (e !== undefined) return { code: e.extensions?.code ?? "ERROR", message: e.message };
  const answer = r.data.region.agency.dataset;
  return { data: answer[Object.keys(answer)[0] as string] };
}

const proofLine = (p: Proved) =>
  `${p.proof.system} proof (${p.proof.circuit}) ${p.proof.verified ? "verified" : "NOT verified"} against commitment ${p.proof.commitment.slice(0, 16)}…; receipt ${p.receipt.id.slice(0, 16)}…`;

/** The person with exactly two Hunan properties who comes first by id: a buyer the purchase limit concerns. */
function buyerWithTwoHomes(m: DevnetManifest): { person: string; homes: number } {
  const owned = new Map<string, number>();
  for (const row of seedRows(PROPERTIES, m.size)) {
    const owner = row.fields.owner as string;
    owned.set(owner, (owned.get(owner) ?? 0) + 1);
  }
  const [person, homes] = [...owned.entries()]
    .filter(([, n]) => n === 2)
    .sort(([a], [b]) => a.localeCompare(b))[0] ??
    [...owned.entries()][0] ?? ["p-0000001", 0];
  return { person, homes };
}

/** Two taxpayers around a declared income of 300,000: one above, one below. */
function taxpayers(m: DevnetManifest): { above: string; below: string; declared: number } {
  const declared = 300_000;
  const rows = seedRows(INCOME, m.size);
  const above = rows.find((r) => Number(r.fields.income) >= declared);
  const below = rows.find((r) => Number(r.fields.income) < declared);
  if (above === undefined || below === undefined)
    throw new DevnetError("SEED", "the income records hold no taxpayer on one side of the threshold");
  return { above: above.key, below: below.key, declared };
}

async function checkRunning(m: DevnetManifest): Promise<void> {
  for (const a of m.agencies) {
    const s = await apiGet<{ height: number }>(endpointsOf(m, a.id).api, "/v1/status").catch(() => null);
    if (s === null)
      throw new DevnetError(
        "NOT_RUNNING",
        `${a.id} does not answer at http://127.0.0.1:${a.apiPort}: start the devnet first (npm start) and wait for its table`,
      );
  }
}

export async function runDemo(o: DemoOptions): Promise<{ ok: boolean; steps: DemoStep[] }> {
  const m = await readManifest(o.dir);
  if (m === null)
    throw new DevnetError("NO_DEVNET", `no devnet in ${o.dir}: start one with npm start (or pass --dir)`);
  if (!m.seeded)
    throw new DevnetError("NOT_SEEDED", "the devnet is still seeding: wait for npm start's table");
  await checkRunning(m);
  const steps: DemoStep[] = [];
  const step = (s: DemoStep) => {
    steps.push(s);
    o.onStep(s);
  };
  const housing = endpointsOf(m, HOUSING);
  const bank = endpointsOf(m, BANK);
  const receipts: string[] = [];
  // The proved queries asked through an asker's gateway: the evidence step looks for their verified records.
  const provedCalls: ProvedCall[] = [];
  // Balances before the demo's queries: the 共票 step shows what they earned and paid.
  const creditsBefore = await creditSnapshot(endpointsOf(m, LAND));
  // The access log is read from the demo's start on (it lists oldest first; a long-running devnet holds many).
  const since = new Date(Date.now() - 5_000).toISOString();
  const LOG = `accessLog(first: 50, filter: { from: "${since}" }) { edges { node { receiptId height provider requester datasetId time } } }`;

  // 1. Purchase restriction: how many homes does the buyer own in Hunan? A proved COUNT, rows never leave Hunan.
  const buyer = buyerWithTwoHomes(m);
  provedCalls.push({ asker: HOUSING, provider: LAND, dataset: PROPERTIES });
  const count = await ask(
    housing,
    "HN",
    LAND,
    PROPERTIES,
    `count(field: "owner", from: "${buyer.person}", to: "${buyer.person}") { count ${PROOF} }`,
  );
  if ("code" in count)
    step({
      title: "Guangdong housing asks Hunan land registry: homes owned by a buyer (proved COUNT)",
      ok: false,
      detail: `refused: ${count.code} ${count.message}`,
    });
  else {
    receipts.push(count.data.receipt.id);
    step({
      title: "Guangdong housing asks Hunan land registry: homes owned by a buyer (proved COUNT)",
      ok: count.data.count === buyer.homes && count.data.proof.verified,
      detail: `buyer ${buyer.person} owns ${count.data.count} properties in Hunan (expected ${buyer.homes}); ${proofLine(count.data)}`,
      data: {
        buyer: buyer.person,
        count: count.data.count,
        proof: count.data.proof,
        receipt: count.data.receipt.id,
      },
    });
  }

  // 2. Mortgage: is the declared income above the threshold? A proved yes/no, the income itself stays with the bureau.
  const t = taxpayers(m);
  const incomeCheck = (asker: Endpoints, who: string) =>
    ask(
      asker,
      "HN",
      TAX,
      INCOME,
      `threshold(key: "${who}", field: "income", op: GTE, value: "${t.declared}") { holds ${PROOF} }`,
    );
  provedCalls.push({ asker: BANK, provider: TAX, dataset: INCOME });
  for (const [who, expected] of [
    [t.above, true],
    [t.below, false],
  ] as const) {
    const r = await incomeCheck(bank, who);
    const title = `Guangdong bank asks Hunan tax bureau: income of ${who} ≥ ${t.declared.toLocaleString("en")} (proved yes/no)`;
    if ("code" in r) step({ title, ok: false, detail: `refused: ${r.code} ${r.message}` });
    else {
      receipts.push(r.data.receipt.id);
      step({
        title,
        ok: r.data.holds === expected && r.data.proof.verified,
        detail: `answer ${r.data.holds ? "yes" : "no"} (expected ${expected ? "yes" : "no"}); ${proofLine(r.data)}`,
        data: { taxpayer: who, holds: r.data.holds, proof: r.data.proof, receipt: r.data.receipt.id },
      });
    }
  }

  // 3. The evidence behind those answers: each owner proved its commitment well-formed, the askers verified it.
  step(await evidenceStep(m, provedCalls));

  // 4. No grant, no answer.
  const courts = await incomeCheck(endpointsOf(m, COURTS), t.above);
  step({
    title: "Guangdong courts ask the Hunan tax bureau without a grant",
    ok: "code" in courts && courts.code === "GRANT_REQUIRED",
    detail:
      "code" in courts
        ? `refused with ${courts.code} (expected GRANT_REQUIRED)`
        : "answered: expected a refusal",
    data: "code" in courts ? { code: courts.code } : courts.data,
  });

  // 5. The regulator freezes the bank; its next query is refused; then it lifts the freeze.
  const regulator = endpointsOf(m, REGULATOR);
  const regulatorKey = await signerOf(o.dir, m, REGULATOR);
  const target = { kind: "agency" as const, id: BANK };
  const bankFrozen = () =>
    graphqlData(
      endpointsOf(m, TAX).gateway,
      `{ region(id: "GD") { agency(id: "${BANK}") { frozen } } }`,
    ).then((d) => d.region.agency.frozen === true);
  // A demo stopped between its freeze and its unfreeze left the bank frozen: lift that first, so it can run again.
  if (await bankFrozen())
    await submitAndWait(regulator, m.chainId, regulatorKey, "regulator.unfreeze", {
      target,
      reason: "demo: lift the freeze an interrupted demo left",
    });
  const frozen = await submitAndWait(regulator, m.chainId, regulatorKey, "regulator.freeze", {
    target,
    reason: "demo: suspected misuse of income checks, under review",
  });
  await until(
    "the freeze to reach the tax bureau's ledger",
    () =>
      graphqlData(endpointsOf(m, TAX).gateway, `{ region(id: "GD") { agency(id: "${BANK}") { frozen } } }`),
    (d) => d.region.agency.frozen === true,
    30_000,
  );
  const refused = await incomeCheck(bank, t.above);
  step({
    title: "The regulator freezes gd.bank; the bank asks again",
    ok: frozen.resultCode === null && "code" in refused && refused.code === "FROZEN",
    detail: `regulator.freeze ${frozen.resultCode ?? "applied"} at height ${frozen.height}; the bank's query: ${"code" in refused ? `refused with ${refused.code}` : "answered"} (expected FROZEN)`,
    data: {
      freezeTx: frozen.id,
      height: frozen.height,
      query: "code" in refused ? refused.code : "answered",
    },
  });
  const lifted = await submitAndWait(regulator, m.chainId, regulatorKey, "regulator.unfreeze", {
    target,
    reason: "demo: review closed",
  });
  step({
    title: "The regulator lifts the freeze",
    ok: lifted.resultCode === null,
    detail: `regulator.unfreeze ${lifted.resultCode ?? "applied"} at height ${lifted.height}`,
  });

  // 6. A requester cannot keep an answer off the ledger: the bank calls the courts around its own gateway.
  const around = await askAroundTheGateway(o.dir, m);
  if (around.receipt !== null) receipts.push(around.receipt);
  step({
    title:
      "The bank calls the courts directly, around its gateway, and never co-signs: the call is recorded anyway",
    ok: around.ok,
    detail: around.detail,
    data: around,
  });

  // 7. Every answer above is on the ledger's access log.
  const land = endpointsOf(m, LAND);
  const logged = await until(
    "the demo's receipts on the ledger",
    async () => {
      const seen = new Set<string>();
      for (const at of [land, endpointsOf(m, TAX), endpointsOf(m, COURTS)]) {
        const d = await graphqlData(at.gateway, `{ ${LOG} }`);
        for (const e of d.accessLog.edges as { node: { receiptId: string } }[]) seen.add(e.node.receiptId);
      }
      return receipts.filter((r) => seen.has(r)).length;
    },
    (n) => n === receipts.length,
    90_000,
    500,
  ).catch(() => -1);
  const log = await graphqlData(land.gateway, `{ ${LOG} }`);
  const entries = (log.accessLog.edges as { node: Record<string, string | number> }[]).map((e) => e.node);
  step({
    title: "Every answer is on the ledger's access log",
    ok: logged === receipts.length,
    detail: `${logged < 0 ? "not all" : logged} of the ${receipts.length} receipts above recorded; Hunan land registry's log (latest):\n${formatTable(
      ["height", "time", "provider", "requester", "dataset"],
      entries
        .slice(-6)
        .map((n) => [
          String(n.height),
          String(n.time),
          String(n.provider),
          String(n.requester),
          String(n.datasetId),
        ]),
    )}`,
    data: entries.slice(-20),
  });

  // 8. 共票 credits: what the answers above earned once their epoch settled; then a redemption and its voucher.
  step(await creditsEarnedStep(m, creditsBefore, [LAND, TAX]));
  step(await redemptionStep(o.dir, m, o.cli));

  // 9. Every peer's chain replays from genesis with the pure ledger.
  const run = promisify(execFile);
  const verified: { agency: string; ok: boolean; out: string }[] = [];
  for (const a of m.agencies) {
    try {
      const r = await run(process.execPath, [
        o.cli,
        "chain",
        "verify",
        "--api",
        endpointsOf(m, a.id).api,
        "--genesis",
        join(o.dir, "genesis.json"),
      ]);
      verified.push({ agency: a.id, ok: true, out: r.stdout.trim().split("\n")[0] ?? "" });
    } catch (e) {
      const x = e as { stdout?: string; stderr?: string };
      verified.push({ agency: a.id, ok: false, out: `${x.stdout ?? ""}${x.stderr ?? ""}`.trim() });
    }
  }
  step({
    title: "coken chain verify on every peer",
    ok: verified.every((v) => v.ok),
    detail: formatTable(
      ["agency", "result"],
      verified.map((v) => [v.agency, v.out.split("\n")[0] ?? ""]),
    ),
    data: verified,
  });

  // 10. An outside auditor replays the land registry's peer and checks the proofs its gateway kept.
  step(await auditStep(o.dir, m, o.cli, LAND));
  return { ok: steps.every((s) => s.ok), steps };
}
