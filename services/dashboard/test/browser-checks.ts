import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";

/**
 * The dashboard driven in headless Chromium against a running network: every page loads, a grant is issued and
 * revoked, a proved query is asked and verified, its receipt reaches the access log and the provider's ranking,
 * the regulator freezes the asker (whose next query is refused with FROZEN) and lifts the freeze. Screenshots of
 * each step go to `artifacts`. Throws (an assertion) at the first step that does not hold.
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
  /** Folder for screenshots (created). */
  artifacts: string;
  /** Default /usr/bin/chromium (Debian's package); no browser is ever downloaded. */
  executablePath?: string;
  /** Longest wait for any one condition (a block, a proof, a receipt); default 60 s. */
  timeoutMs?: number;
}

export interface DashboardCheckReport {
  steps: { title: string; ms: number }[];
  screenshots: string[];
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
  const report: DashboardCheckReport = { steps: [], screenshots: [] };
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
    const file = join(o.artifacts, `${String(++shot).padStart(2, "0")}-${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
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

    await step("every page of the grantor's dashboard loads", async () => {
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
      await page.locator(`[data-dataset="${o.dataset}"]`).waitFor();
      await screenshot(page, "catalog");
      for (const [path, ready] of [
        ["grants", "table[data-testid=grants-issued]"],
        ["access-log", "[data-testid=log-count]"],
        ["credits", "table[data-testid=contributions-agency]"],
        ["playground", "h1"],
      ] as const) {
        await open(o.grantor, path);
        await page.locator(ready).waitFor();
        await screenshot(page, path);
      }
      // The regulator's console is only on the regulator's peer.
      assert.equal(await page.getByRole("link", { name: "Regulator" }).count(), 0);
      await page.getByLabel("Language").selectOption("zh");
      await page.getByRole("heading", { name: "向其他机构查询" }).waitFor();
      await screenshot(page, "playground-zh");
      await page.getByLabel("语言").selectOption("en");
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
      await open(agency, "credits");
      const cell = page.locator(
        `table[data-testid=contributions-agency] tr[data-subject="${agency}"] td[data-value]`,
      );
      return Number(await cell.getAttribute("data-value"));
    };
    const before = await step("the grantor's answered accesses before", () => contributions(o.grantor));

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

    await step("the receipt is in the grantor's access log and its ranking counts it", async () => {
      await open(o.grantor, "access-log");
      await page.locator(`tr[data-receipt="${receiptId}"]`).waitFor();
      await screenshot(page, "access-log");
      const after = await contributions(o.grantor);
      assert.equal(after, before + 1, "one more answered access for the grantor");
      await screenshot(page, "credits");
    });

    await step("the regulator freezes the grantee, whose next query is refused with FROZEN", async () => {
      await open(o.regulator, "regulator");
      const form = page.getByRole("region", { name: "Freeze an agency, dataset, grant or account" });
      await form.getByLabel("Kind").selectOption("AGENCY");
      await form.getByLabel("Target").fill(o.grantee);
      await form.getByLabel("Reason").fill("dashboard check: review");
      await form.getByRole("button", { name: "Freeze" }).click();
      await page.locator("[data-tx-state=applied]").waitFor();
      await page.locator(`tr[data-target="AGENCY/${o.grantee}"]`).waitFor();
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
