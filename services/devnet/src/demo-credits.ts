import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { createHasher, derivedId } from "@coken/ledger";
import { endpointsOf, signerOf } from "./bootstrap.js";
import { apiGet, type Endpoints, graphqlData, submitAndWait, until } from "./client.js";
import type { DemoStep } from "./demo.js";
import type { DevnetManifest } from "./layout.js";
import { DEVNET_PARAMS } from "./scenario.js";
import { formatTable } from "./table.js";

// The demo's 共票 steps (docs/spec/credits.md): what the demo's own answers earned once their epoch settled, the
// rankings and the supply, then a redemption whose voucher the issuer checks against the certified chain.

const REGULATOR = "cn.regulator";
const HOUSING = "gd.housing-authority";
const OFFER = "cn.reg/data-steward-training";
const OFFER_PRICE = 40n;

/** Balances and the height they were read at. */
export interface CreditSnapshot {
  height: number;
  balances: Map<string, bigint>;
}

async function balances(at: Endpoints): Promise<Map<string, bigint>> {
  const d = await graphqlData(at.gateway, "{ accounts(first: 50) { edges { node { agency balance } } } }");
  const nodes = (d.accounts.edges as { node: { agency: string; balance: string } }[]).map((e) => e.node);
  return new Map(nodes.map((n) => [n.agency, BigInt(n.balance)]));
}

const heightOf = async (at: Endpoints) =>
  (await apiGet<{ height: number }>(at.api, "/v1/status"))?.height ?? 0;

/** Balances before the demo's queries, to show what they moved. */
export async function creditSnapshot(at: Endpoints): Promise<CreditSnapshot> {
  return { height: await heightOf(at), balances: await balances(at) };
}

interface Line {
  epoch: number;
  height: number;
  line: { reward: string; fees: string; consumers: number; receipts: number; quality: number; score: number };
}

const HISTORY = (agency: string) =>
  `creditHistory(agency: "${agency}", first: 5) { epoch height line { reward fees consumers receipts quality score } }`;

const rankingTable = (rows: { rank: number; subject: string; value: string }[], what: string, of: string) =>
  formatTable(
    ["rank", of, what],
    rows.map((r) => [String(r.rank), r.subject, r.value]),
  );

/**
 * Waits for the settlement of the epoch holding the demo's receipts (recorded by `recordedBy`), then reports each
 * provider's earnings since `before`, the rankings and the supply. Holds when every provider that answered
 * (`providers`) earned, and Σ balances + escrow = genesis + minted − burned.
 */
export async function creditsEarnedStep(
  m: DevnetManifest,
  before: CreditSnapshot,
  providers: readonly string[],
): Promise<DemoStep> {
  const at = endpointsOf(m, providers[0] as string);
  const recordedBy = await heightOf(at);
  const query = `{ ${providers.map((p, i) => `p${i}: ${HISTORY(p)}`).join(" ")}
       standing { epoch height }
       earned: rankings(by: EARNED, scope: AGENCY, first: 10) { rank subject value }
       score: rankings(by: SCORE, scope: AGENCY, first: 10) { rank subject value }
       regionsEarned: rankings(by: EARNED, scope: REGION, first: 10) { rank subject value }
       regionsScore: rankings(by: SCORE, scope: REGION, first: 10) { rank subject value }
       creditSupply { genesis minted burned escrow circulating } }`;
  const earnedSince = (d: Record<string, unknown>) =>
    providers.map((p, i) => {
      const lines = (d[`p${i}`] as Line[]).filter((l) => l.height > before.height);
      const sum = (f: (l: Line["line"]) => bigint) => lines.reduce((n, l) => n + f(l.line), 0n);
      return {
        agency: p,
        reward: sum((l) => BigInt(l.reward)),
        fees: sum((l) => BigInt(l.fees)),
        receipts: sum((l) => BigInt(l.receipts)),
        epochs: lines.map((l) => l.epoch),
      };
    });
  // The demo's receipts count in the settlement of the epoch that holds them (an attested one only once its
  // dispute window closes): wait until every provider that answered has earned in an epoch settled since the demo
  // began. An epoch is DEVNET_PARAMS.epochLength blocks; a loaded machine makes blocks slower, so allow several.
  const settledData = await until(
    "the epoch holding the demo's receipts to settle",
    () => graphqlData(at.gateway, query),
    (d) => earnedSince(d).every((e) => e.reward + e.fees > 0n),
    DEVNET_PARAMS.epochLength * 8_000,
    1_000,
  ).catch(() => null);
  const d = settledData ?? (await graphqlData(at.gateway, query));
  const settled =
    settledData === null ? null : (settledData as { standing: { epoch: number; height: number } });
  const earned = earnedSince(d);
  const after = await balances(at);
  const s = d.creditSupply as Record<"genesis" | "minted" | "burned" | "escrow" | "circulating", string>;
  const conserved = BigInt(s.circulating) === BigInt(s.genesis) + BigInt(s.minted) - BigInt(s.burned);
  const allEarned = earned.every((e) => e.reward + e.fees > 0n);
  const change = (a: string) => (after.get(a) ?? 0n) - (before.balances.get(a) ?? 0n);
  return {
    title: "共票 credits: the demo's answers earn their providers once the epoch settles",
    ok: settled !== null && allEarned && conserved,
    detail: [
      settled === null
        ? `not every provider that answered had earned in a settled epoch in time (receipts recorded by height ${recordedBy})`
        : `epoch ${settled.standing.epoch} settled at height ${settled.standing.height} (the demo's receipts were recorded by ${recordedBy})`,
      formatTable(
        ["agency", "before", "after", "change"],
        [...after.keys()].map((a) => [
          a,
          String(before.balances.get(a) ?? 0n),
          String(after.get(a)),
          `${change(a) >= 0n ? "+" : ""}${change(a)}`,
        ]),
      ),
      "Providers that answered, earned in the epochs settled since the demo began (fee shares + reward minted):",
      formatTable(
        ["provider", "receipts", "fee shares", "reward", "epochs"],
        earned.map((e) => [
          e.agency,
          String(e.receipts),
          String(e.fees),
          String(e.reward),
          e.epochs.join(","),
        ]),
      ),
      "Latest epoch, agencies by EARNED and by SCORE:",
      rankingTable(d.earned, "earned", "agency"),
      rankingTable(d.score, "score", "agency"),
      "Regions by EARNED and by SCORE:",
      rankingTable(d.regionsEarned, "earned", "region"),
      rankingTable(d.regionsScore, "score", "region"),
      `supply: minted ${s.minted} − burned ${s.burned} (genesis ${s.genesis}); Σ balances + escrow ${s.circulating} ${conserved ? "=" : "≠"} genesis + minted − burned; every provider earned: ${allEarned ? "yes" : "no"}`,
    ].join("\n"),
    data: {
      settled: settled?.standing ?? null,
      earned: earned.map((e) => ({
        ...e,
        reward: String(e.reward),
        fees: String(e.fees),
        receipts: String(e.receipts),
      })),
      rankings: {
        earned: d.earned,
        score: d.score,
        regionsEarned: d.regionsEarned,
        regionsScore: d.regionsScore,
      },
      supply: s,
    },
  };
}

/**
 * The regulator offers an item, the housing authority redeems one unit, and the voucher is verified with
 * `coken credits voucher verify` through the land registry's peer (and an altered id must fail).
 */
export async function redemptionStep(dir: string, m: DevnetManifest, cli: string): Promise<DemoStep> {
  const regulator = endpointsOf(m, REGULATOR);
  const offer = await submitAndWait(regulator, m.chainId, await signerOf(dir, m, REGULATOR), "credit.offer", {
    id: OFFER,
    title: "Data-steward training seat 数据管理员培训名额",
    description: "One seat at the national data-steward course",
    price: OFFER_PRICE,
    stock: 10,
  });
  const housing = endpointsOf(m, HOUSING);
  const redeem = await submitAndWait(housing, m.chainId, await signerOf(dir, m, HOUSING), "credit.redeem", {
    offer: OFFER,
    quantity: 1,
    reference: "demo order",
  });
  const voucher = derivedId(createHasher("sha256"), "voucher", HOUSING, redeem.seq);
  const run = promisify(execFile);
  const api = endpointsOf(m, "hn.land-registry").api;
  const verify = (id: string) =>
    run(process.execPath, [
      cli,
      "credits",
      "voucher",
      "verify",
      id,
      "--api",
      api,
      "--issuer",
      REGULATOR,
      "--holder",
      HOUSING,
      "--json",
    ]).then(
      (r) => JSON.parse(r.stdout) as Record<string, unknown>,
      (e: { stdout?: string }) => {
        try {
          return JSON.parse(e.stdout ?? "") as Record<string, unknown>;
        } catch {
          return { error: { code: "NO_ANSWER", message: String(e.stdout ?? e) } };
        }
      },
    );
  const checked = redeem.resultCode === null ? await verify(voucher) : { error: { code: redeem.resultCode } };
  const altered = await verify(`${voucher.slice(0, -1)}${voucher.endsWith("0") ? "1" : "0"}`);
  const v = checked.voucher as Record<string, unknown> | undefined;
  const certified = checked.certified as { height: number; signers: string[] } | undefined;
  const alteredCode = (altered.error as { code?: string } | undefined)?.code;
  const ok =
    offer.resultCode === null &&
    checked.status === "verified" &&
    v?.holder === HOUSING &&
    v?.amount === String(OFFER_PRICE) &&
    alteredCode === "UNKNOWN_VOUCHER";
  return {
    title:
      "Redemption: the regulator offers an item, the housing authority redeems it, the voucher is verified",
    ok,
    detail: [
      `credit.offer ${offer.resultCode ?? "applied"} at height ${offer.height} (${OFFER}, ${OFFER_PRICE} credits); credit.redeem ${redeem.resultCode ?? "applied"} at height ${redeem.height}`,
      v === undefined
        ? `voucher ${voucher}: ${JSON.stringify(checked.error)}`
        : `voucher ${voucher}: holder ${String(v.holder)}, offer ${String(v.offer)}, quantity ${String(v.quantity)}, amount ${String(v.amount)}, tx ${String(checked.tx).slice(0, 16)}…; proved against the app hash of block ${certified?.height}, certified by ${certified?.signers.join(", ")}`,
      `an altered voucher id: ${alteredCode ?? "accepted"} (expected UNKNOWN_VOUCHER)`,
    ].join("\n"),
    data: { voucher, verified: checked, altered: alteredCode },
  };
}
