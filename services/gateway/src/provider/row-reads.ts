import type { LocalDataRepository, LocalRow } from "@coken/store";

export type RowSource = Pick<LocalDataRepository, "getRows">;
export type RowReader = Pick<LocalDataRepository, "getRow">;

interface Waiting {
  resolve(row: LocalRow | null): void;
  reject(e: unknown): void;
}

const MAX_KEYS = 1000;

/**
 * Row lookups grouped per turn of the event loop: the lookups of one batched HTTP request (whose operations run
 * in the same turn) become one `getRows` statement per dataset instead of one statement each. A key asked twice
 * is read once; when a group's read fails, its keys are read one by one, so a failure reaches only the lookups
 * it concerns.
 */
export function groupedRowReads(source: RowSource): RowReader {
  let queued = new Map<string, Map<string, Waiting[]>>();
  let scheduled = false;

  const readPart = async (dataset: string, keys: string[], byKey: Map<string, Waiting[]>) => {
    try {
      const found = new Map((await source.getRows(dataset, keys)).map((r) => [r.key, r]));
      for (const key of keys) for (const w of byKey.get(key) ?? []) w.resolve(found.get(key) ?? null);
    } catch (e) {
      // One caller's bad key must not fail the others: read each key of a failed group on its own.
      if (keys.length > 1) await Promise.all(keys.map((key) => readPart(dataset, [key], byKey)));
      else for (const w of byKey.get(keys[0] as string) ?? []) w.reject(e);
    }
  };
  const read = async (dataset: string, byKey: Map<string, Waiting[]>) => {
    const keys = [...byKey.keys()];
    for (let at = 0; at < keys.length; at += MAX_KEYS)
      await readPart(dataset, keys.slice(at, at + MAX_KEYS), byKey);
  };

  const flush = () => {
    scheduled = false;
    const groups = queued;
    queued = new Map();
    for (const [dataset, byKey] of groups) void read(dataset, byKey);
  };

  return {
    getRow(dataset, key) {
      return new Promise((resolve, reject) => {
        let byKey = queued.get(dataset);
        if (byKey === undefined) {
          byKey = new Map();
          queued.set(dataset, byKey);
        }
        const waiting = byKey.get(key);
        if (waiting === undefined) byKey.set(key, [{ resolve, reject }]);
        else waiting.push({ resolve, reject });
        if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      });
    },
  };
}
