import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";

/**
 * The dashboard driven in headless Chromium against a running network: every page loads (the catalog with a
 * dataset's quality score and commitment history), a grant is issued and revoked, a proved query is asked and
 * verified, its receipt reaches the access log co-signed with its proof verified and counts in the provider's
 * ranking, and the asker pays the dataset's price from its 共票 balance, an audit report is loaded and browsed and
 * the grantor's peer audits its chain, the regulator freezes the asker (whose next query is refused with FROZEN),
 * lifts the freeze and finds both in the target's freeze history. Screenshots of each step go to `artifacts`.
 * Throws (an assertion) at the first step that does not hold.
 */
export interface DashboardCheckOptions {
  /** The dashboard URL of each agency taking part (`http://host:port/dashboard/`). */
  dashboards: Record<string, string>;
  /** Owns `dataset` and issues the grant. */
  grantor: string;
  /** Receives the grant and asks; holds no other grant on `dataset`'s COUNT needed. */
  grantee: string;
  regulator: string;
  dataset: string;
  /** A proved COUNT on one of the dataset's indexed fields. */
  count: { field: string; from: string; to: string };
  /** A report `coken audit --report` wrote of the grantor's peer, loaded on the Audit page. */
  auditReport: string;
  /** Folder for screenshots (emptied, or created). */
  artifacts: string;
  /** Default /usr/bin/chromium (Debian's package); no browser is ever downloaded. */
  executablePath?: string;
  /** Longest wait for any one condition (a block, a proof, a receipt); default 60 s. */
  timeoutMs?: number;
}

export interface DashboardCheckReport {
  steps: { title: string; ms: number }[];
  screenshots: string[];
  /** Time spent taking screenshots, all steps together. */
  screenshotMs: number;
}

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-quic",
  "--no-first-run",
  "--disable-component-update",
  "--disable-sync",
];

export async function runDashboardChecks(o: DashboardCheckOptions): Promise<DashboardCheckReport> {
  const timeout = o.timeoutMs ?? 60_000;
  const report: DashboardCheckReport = { steps: [], screenshots: [], screenshotMs: 0 };
  // An earlier run's screenshots (a failed step's among them) would pass for this run's.
  await rm(o.artifacts, { recursive: true, force: true });
  await mkdir(o.artifacts, { recursive: true });
  const profile = await mkdtemp(join(tmpdir(), "coken-chromium-"));
  let context: BrowserContext | null = null;
  const urlOf = (agency: string, page: string) => {
    const base = o.dashboards[agency];
    if (base === undefined) throw new Error(`no dashboard URL for ${agency}`);
    return new URL(page, base.endsWith("/") ? base : `${base}/`).toString();
  };
  let shot = 0;
  const screenshot = async (page: Page, name: string) => {
    // JPEG: a full page takes a third to a half less time than PNG to encode.
    const file = join(o.artifacts, `${String(++shot).padStart(2, "0")}-${name}.jpg`);
    const started = performance.now();
    await page.screenshot({ path: file, fullPage: true, type: "jpeg", quality: 80 });
    report.screenshotMs += Math.round(performance.now() - started);
    report.screenshots.push(file);
  };
  // Once the browser runs: a screenshot of the page as it was when a step failed.
  let failed: (name: string) => Promise<void> = async () => {};
  const step = async <T>(title: string, run: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await run();
    } catch (e) {
      await failed(title.replace(/[^a-z]+/gi, "-")).catch(() => {});
      throw new Error(`dashboard check "${title}" failed: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      report.steps.push({ title, ms: Math.round(performance.now() - started) });
    }
  };
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: o.executablePath ?? "/usr/bin/chromium",
      headless: true,
      args: CHROMIUM_ARGS,
      locale: "en-GB",
      viewport: { width: 1280, height: 900 },
    });
    context.setDefaultTimeout(timeout);
    const browser = context;
    const page = context.pages()[0] ?? (await context.newPage());
    failed = (name) => screenshot(page, `failed-${name}`);
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    const open = async (agency: string, path: string) => {
      await page.goto(urlOf(agency, path));
      await page.getByTestId("self").waitFor();
      assert.match(
        (await page.getByTestId("self").textContent()) ?? "",
        new RegExp(`^${agency.replace(".", "\\.")} `),
      );
    };

    // The grantor's peer audits its chain in a second tab while the other steps run (the replay takes seconds).
    const auditTab = await step("the grantor's peer is asked to audit its chain", async () => {
      const tab = await browser.newPage();
      tab.on("pageerror", (e) => errors.push(e.message));
      await tab.goto(urlOf(o.grantor, "audit"));
      await tab.getByRole("button", { name: "Run the audit" }).click();
      return tab;
    });

    const price = await step("every page of the grantor's dashboard loads", async () => {
      await open(o.grantor, "network");
      await page.locator("tr[data-agency]").first().waitFor();
      assert.match((await page.getByTestId("height").textContent()) ?? "", /^\d+$/);
      for (const agency of Object.keys(o.dashboards))
        await page.locator(`tr[data-agency="${agency}"]`).waitFor();
      assert.ok(
        (await page.locator("main table").nth(1).locator("tbody tr").count()) > 0,
        "recent blocks listed",
      );
      await screenshot(page, "network");
      await open(o.grantor, "catalog");
      await page.locator(`[data-dataset="${o.dataset}"]`).waitFor();
      await page.getByRole("searchbox", { name: "Search" }).fill("no dataset is called this");
      await page.getByText("Datasets found: 0").waitFor();
      await page.getByRole("searchbox", { name: "Search" }).fill("");
      const card = page.locator(`[data-dataset="${o.dataset}"]`);
      await card.waitFor();
      const quality = await card.locator("[data-quality]").getAttribute("data-quality");
      assert.match(quality ?? "", /^\d+$/, "the catalog shows the dataset's quality score");
      // Its commitment history, newest first: as many versions as the current commitment's number.
      const history = card.getByTestId("commitment-history");
      const versions = Number(await history.getAttribute("data-versions"));
      assert.ok(versions >= 1, "the dataset has a commitment");
      await history.getByText("Commitment history").click();
      await history.locator(`tr[data-version="${versions}"]`).waitFor();
      // The dashboard reads the newest hundred.
      assert.equal(await history.locator("tbody tr").count(), Math.min(versions, 100));
      await screenshot(page, "catalog");
      const price = await page
        .locator(`[data-dataset="${o.dataset}"] [data-price]`)
        .getAttribute("data-price");
      for (const [path, ready] of [
        ["grants", "table[data-testid=grants-issued]"],
        ["access-log", "[data-testid=log-count]"],
        ["credits", "[data-testid=conservation][data-holds=true]"],
        ["credits/rankings", "table[data-testid=contributions-agency]"],
        ["credits/quality", `table[data-testid=dataset-quality] tr[data-dataset="${o.dataset}"]`],
        ["credits/redemption", "table[data-testid=offers] tr[data-offer]"],
        ["playground", "h1"],
      ] as const) {
        await open(o.grantor, path);
        await page.locator(ready).first().waitFor();
        await screenshot(page, path.replace("/", "-"));
      }
      // The regulator's console is only on the regulator's peer.
      assert.equal(await page.getByRole("link", { name: "Regulator" }).count(), 0);
      await page.getByLabel("Language").selectOption("zh");
      await page.getByRole("heading", { name: "向其他机构查询" }).waitFor();
      await screenshot(page, "playground-zh");
      await page.getByLabel("语言").selectOption("en");
      assert.match(price ?? "", /^\d+$/, "the catalog shows the dataset's price");
      return BigInt(price as string);
    });

    const purpose = `dashboard check ${new Date().toISOString()}`;
    const grantId = await step("the grantor issues a grant from its Grants page", async () => {
      await open(o.grantor, "grants");
      const form = page.getByRole("region", { name: "Issue a grant" });
      await form.getByLabel("Dataset").selectOption(o.dataset);
      await form.getByLabel("Grantee").selectOption(o.grantee);
      await form.getByRole("checkbox", { name: "COUNT" }).check();
      await form.getByRole("checkbox", { name: o.count.field, exact: true }).check();
      await form.getByLabel("Purpose").fill(purpose);
      await form.getByLabel("Quota (queries)").fill("3");
      await form.getByRole("button", { name: "Issue grant" }).click();
      await page.locator("[data-tx-state=applied]").waitFor();
      const row = page.locator("table[data-testid=grants-issued] tr", { hasText: purpose });
      await row.and(page.locator("[data-state=active]")).waitFor();
      await screenshot(page, "grant-issued");
      const id = await row.getAttribute("data-grant");
      assert.ok(id, "the issued grant's row names its id");
      return id;
    });

    const contributions = async (agency: string) => {
      await open(agency, "credits/rankings");
      const cell = page.locator(
        `table[data-testid=contributions-agency] tr[data-subject="${agency}"] [data-value]`,
      );
      return Number(await cell.getAttribute("data-value"));
    };
    const before = await step("the grantor's answered accesses before", () => contributions(o.grantor));
    const balance = async (agency: string) => {
      await open(agency, "credits");
      const value = await page.getByTestId("own-balance").getAttribute("data-value");
      assert.match(value ?? "", /^\d+$/, `${agency} has a credit account`);
      return BigInt(value as string);
    };
    const paidBefore = await step("the grantee's 共票 balance before", () => balance(o.grantee));

    const ask = async () => {
      await open(o.grantee, "playground");
      await page.getByLabel("Grant held").selectOption(grantId);
      await page.getByLabel("Query kind").selectOption("COUNT");
      await page.getByLabel("Field", { exact: true }).selectOption(o.count.field);
      await page.getByLabel("From").fill(o.count.from);
      await page.getByLabel("To").fill(o.count.to);
      await page.getByRole("button", { name: "Ask" }).click();
    };
    const receiptId = await step(
      "the grantee asks a proved COUNT and sees it verified and recorded",
      async () => {
        await ask();
        await page.locator("[data-testid=answer-verified][data-verified=true]").waitFor();
        assert.match((await page.getByTestId("answer-result").textContent()) ?? "", /^\d+ matching records$/);
        const id = await page.getByTestId("answer-receipt").getAttribute("data-receipt");
        assert.ok(id, "the answer names its receipt");
        await page.locator("[data-testid=answer-receipt][data-recorded=yes]").waitFor();
        await screenshot(page, "proved-answer");
        return id;
      },
    );

    await step(
      "the receipt is in the grantor's access log, co-signed with its proof verified, and its ranking counts it",
      async () => {
        await open(o.grantor, "access-log");
        const row = page.locator(`tr[data-receipt="${receiptId}"]`);
        await row.waitFor();
        // The grantee co-signed it, which it does only for an answer whose proof it verified.
        assert.equal(await row.getAttribute("data-recording"), "ACKNOWLEDGED");
        assert.equal(await row.getAttribute("data-proof"), "VERIFIED");
        const proof = page.getByRole("form", { name: "Filters" }).getByLabel("Proof", { exact: true });
        await proof.selectOption("NOT_PROVED");
        await row.waitFor({ state: "detached" });
        await proof.selectOption("VERIFIED");
        await row.waitFor();
        await screenshot(page, "access-log");
        const after = await contributions(o.grantor);
        assert.equal(after, before + 1, "one more answered access for the grantor");
        await screenshot(page, "credits-rankings-after");
      },
    );

    await step("the grantee paid the dataset's price for the answer from its 共票 balance", async () => {
      assert.equal(await balance(o.grantee), paidBefore - price, "the balance fell by one answer's price");
      await page.locator("[data-testid=conservation][data-holds=true]").waitFor();
      await screenshot(page, "credits-after");
    });

    await step("an audit report is loaded and browsed, and the grantor's peer audits its chain", async () => {
      const text = await readFile(o.auditReport, "utf8");
      const written = JSON.parse(text) as {
        ok: boolean;
        height: number;
        stats: { anomalyCounts: Record<string, number>; anomalies: { kind: string }[] };
      };
      await open(o.grantor, "audit");
      const file = page.getByLabel("Report file (JSON written by coken audit --report)");
      await file.setInputFiles({
        name: "not-a-report.json",
        mimeType: "application/json",
        buffer: Buffer.from("[]"),
      });
      await page.locator("[role=alert][data-code=NOT_A_REPORT]").waitFor();
      await file.setInputFiles(o.auditReport);
      const report = page.locator(`[data-testid=audit-report][data-height="${written.height}"]`);
      await report.waitFor();
      assert.equal(await page.getByTestId("audit-verdict").getAttribute("data-ok"), String(written.ok));
      for (const [kind, n] of Object.entries(written.stats.anomalyCounts))
        await page
          .locator(`[data-testid=audit-anomaly-counts] tr[data-kind="${kind}"][data-count="${n}"]`)
          .waitFor();
      const kinds = Object.keys(written.stats.anomalyCounts);
      if (kinds.length > 0) {
        const kind = kinds[0] as string;
        await page.getByRole("form", { name: "Anomalies" }).getByLabel("Kind").selectOption(kind);
        const listed = written.stats.anomalies.filter((a) => a.kind === kind).length;
        await page.locator(`[data-testid=anomalies-shown][data-count="${listed}"]`).waitFor();
        assert.equal(
          await page.locator(`[data-testid=audit-anomalies] tbody tr:not([data-kind="${kind}"])`).count(),
          0,
        );
      }
      await screenshot(page, "audit-report");
      const run = auditTab.locator("[data-testid=audit-report]").filter({ hasText: `peer ${o.grantor}` });
      await run.waitFor();
      assert.ok(
        Number(await run.getAttribute("data-height")) >= written.height,
        "the run replays the chain to now",
      );
      assert.equal(await auditTab.getByTestId("audit-verdict").getAttribute("data-ok"), "true");
      await screenshot(auditTab, "audit-run");
      await auditTab.close();
    });

    await step("the regulator freezes the grantee, whose next query is refused with FROZEN", async () => {
      await open(o.regulator, "regulator");
      const form = page.getByRole("region", { name: "Freeze an agency, dataset, grant or account" });
      await form.getByLabel("Kind").selectOption("AGENCY");
      await form.getByLabel("Target").fill(o.grantee);
      await form.getByLabel("Reason").fill("dashboard check: review");
      await form.getByRole("button", { name: "Freeze" }).click();
      await page.locator("[data-tx-state=applied]").waitFor();
      const frozen = page.locator(`tr[data-target="AGENCY/${o.grantee}"]`);
      await frozen.waitFor();
      assert.match((await frozen.getByTestId("approvals").textContent()) ?? "", /^0 of 1/);
      await screenshot(page, "regulator-freeze");
      // The grantee's own ledger must hold the freeze before it refuses itself.
      await open(o.grantee, "network");
      await page.locator(`tr[data-agency="${o.grantee}"]`, { hasText: "frozen" }).waitFor();
      await ask();
      await page.locator("[role=alert][data-code=FROZEN]").waitFor();
      await screenshot(page, "refused-frozen");
    });

    await step("the regulator lifts the freeze and the grantor revokes the grant", async () => {
      await open(o.regulator, "regulator");
      const row = page.locator(`tr[data-target="AGENCY/${o.grantee}"]`);
      await row.getByLabel("Reason").fill("dashboard check: review closed");
      await row.getByRole("button", { name: "Unfreeze" }).click();
      await page.locator("[data-tx-state=applied]").waitFor();
      await row.waitFor({ state: "detached" });
      const lookup = page.getByRole("region", { name: "Freeze history" });
      await lookup.getByLabel("Kind").selectOption("AGENCY");
      await lookup.getByLabel("Target").fill(o.grantee);
      await lookup.getByRole("button", { name: "Show history" }).click();
      const history = page.locator("table[data-testid=freeze-history] tbody tr");
      await history.first().and(page.locator("[data-event=UNFREEZE]")).waitFor();
      assert.match((await history.first().textContent()) ?? "", /dashboard check: review closed/);
      await history.nth(1).and(page.locator("[data-event=FREEZE]")).waitFor();
      assert.match((await history.nth(1).textContent()) ?? "", /dashboard check: review/);
      await screenshot(page, "freeze-history");
      await open(o.grantor, "grants");
      const grant = page.locator(`tr[data-grant="${grantId}"]`);
      await grant.getByRole("button", { name: "Revoke" }).click();
      await grant.getByLabel("Reason").fill("dashboard check done");
      await grant.getByRole("button", { name: "Revoke grant" }).click();
      await page.locator("[data-tx-state=applied]").waitFor();
      await page.locator(`tr[data-grant="${grantId}"][data-state=revoked]`).waitFor();
      await screenshot(page, "grant-revoked");
    });
    assert.deepEqual(errors, [], "no script errors on any page");
    return report;
  } finally {
    await context?.close();
    await rm(profile, { recursive: true, force: true });
  }
}
