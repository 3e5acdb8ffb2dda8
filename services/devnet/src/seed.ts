import { DATASETS, type DatasetPlan, type DevnetSize, rowsAt } from "./scenario.js";

/**
 * Synthetic rows for the devnet, generated deterministically from the dataset id and size: the same on every
 * machine and every run, so the demo can compute the answers it expects from the same generator. Person ids are
 * pseudonyms (`p-0001234`) shared across datasets, so a buyer in Guangdong can own property in Hunan; nothing
 * here describes a real person.
 */

export type RowFields = Record<string, string | boolean>;
export interface SeedRow {
  key: string;
  fields: RowFields;
}

/** SplitMix32-style generator: small, fast, and the same in every JavaScript engine. */
export function prng(seed: string): () => number {
  let s = 0x9e3779b9;
  for (let i = 0; i < seed.length; i++) s = Math.imul(s ^ seed.charCodeAt(i), 0x85ebca6b) >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return ((z ^ (z >>> 16)) >>> 0) / 2 ** 32;
  };
}

/** People in the synthetic population of a size. */
export function population(size: DevnetSize): number {
  return size === "full" ? 20_000 : 12;
}

export const personId = (n: number): string => `p-${String(n).padStart(7, "0")}`;

const pad = (n: number, w: number) => String(n).padStart(w, "0");
const between = (r: () => number, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const date = (r: () => number, fromYear: number, toYear: number) =>
  `${between(r, fromYear, toYear)}-${pad(between(r, 1, 12), 2)}-${pad(between(r, 1, 28), 2)}`;
const decimal = (r: () => number, lo: number, hi: number) =>
  `${between(r, lo, hi)}.${pad(between(r, 0, 99), 2)}`;

/** A person drawn with a skew: a few people appear in many rows (owners of several homes, serial borrowers). */
function skewedPerson(r: () => number, people: number): string {
  const u = r();
  return personId(1 + Math.floor(u * u * people));
}

function generate(d: DatasetPlan, size: DevnetSize): SeedRow[] {
  const r = prng(`${d.id}/${size}`);
  const n = rowsAt(d, size);
  const people = population(size);
  const rows: SeedRow[] = [];
  for (let i = 1; i <= n; i++) {
    switch (d.id) {
      case "hn.land/properties": {
        const area = between(r, 45, 220);
        rows.push({
          key: `HN-PROP-${pad(i, 7)}`,
          fields: {
            owner: skewedPerson(r, people),
            area: `${area}.${pad(between(r, 0, 99), 2)}`,
            value: String(area * between(r, 6_000, 22_000)),
            registered: date(r, 2005, 2025),
            mortgaged: r() < 0.45,
          },
        });
        break;
      }
      case "hn.tax/income": {
        // One row per taxpayer: key and person are the same pseudonym.
        const income = Math.floor(36_000 * Math.exp(r() * 3.2));
        rows.push({
          key: personId(i),
          fields: {
            income: String(income),
            taxPaid: String(Math.floor(Math.max(0, income - 60_000) * 0.12)),
            sector: ["public", "manufacturing", "services", "finance", "agriculture"][
              between(r, 0, 4)
            ] as string,
            filed: date(r, 2026, 2026),
            compliant: r() < 0.93,
          },
        });
        break;
      }
      case "gd.housing/transactions": {
        const area = between(r, 40, 180);
        rows.push({
          key: `GD-TX-${pad(i, 7)}`,
          fields: {
            buyer: skewedPerson(r, people),
            price: String(area * between(r, 15_000, 65_000)),
            area: `${area}.${pad(between(r, 0, 99), 2)}`,
            contracted: date(r, 2015, 2026),
            firstHome: r() < 0.6,
          },
        });
        break;
      }
      case "gd.bank/mortgages":
        rows.push({
          key: `GD-LOAN-${pad(i, 7)}`,
          fields: {
            borrower: skewedPerson(r, people),
            principal: String(between(r, 200, 4_000) * 1_000),
            rate: decimal(r, 3, 5),
            started: date(r, 2012, 2026),
            performing: r() < 0.97,
          },
        });
        break;
      case "gd.courts/enforcement": {
        // One row per debtor: the key is the person, so membership asks "is this person under enforcement".
        const debtor = personId(1 + Math.floor(r() * people));
        rows.push({
          key: debtor,
          fields: {
            debtor,
            amount: String(between(r, 5, 2_000) * 1_000),
            court: `GD court ${between(r, 1, 21)}`,
            judged: date(r, 2018, 2026),
            active: r() < 0.8,
          },
        });
        break;
      }
      default:
        throw new Error(`no generator for dataset ${d.id}`);
    }
  }
  return dedupe(rows);
}

/** Later rows with a key seen before are dropped (row keys are unique in a dataset). */
function dedupe(rows: SeedRow[]): SeedRow[] {
  const seen = new Set<string>();
  return rows.filter((row) => !seen.has(row.key) && seen.add(row.key));
}

const cache = new Map<string, SeedRow[]>();

/** The rows of a devnet dataset at a size (cached per process). */
export function seedRows(datasetId: string, size: DevnetSize): SeedRow[] {
  const k = `${datasetId}/${size}`;
  let rows = cache.get(k);
  if (rows === undefined) {
    const d = DATASETS.find((x) => x.id === datasetId);
    if (d === undefined) throw new Error(`unknown devnet dataset ${datasetId}`);
    rows = generate(d, size);
    cache.set(k, rows);
  }
  return rows;
}
