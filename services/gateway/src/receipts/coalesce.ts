/** A group-committing writer: call it per item; `flush` sends what waits now instead of at the next occasion. */
export interface GroupWriter<T> {
  (item: T): Promise<void>;
  flush(): void;
}

export interface CoalesceOptions {
  /** Most items in one write. */
  maxGroup?: number;
  /**
   * How long a first item may wait for company when no write is in flight. 0 (the default): until the end of the
   * current tick only (a microtask, not a timer or a turn of the event loop), so a lone caller waits for nothing.
   * Writes off the answer path can linger longer and so go out in fewer, larger groups.
   */
  lingerMs?: number;
}

/**
 * Group commit: items written while a write is in flight (or in the same tick, or within `lingerMs`) go to the
 * store together in the next write, so concurrent calls share one transaction. Each caller's promise settles when
 * its own group is durable (or failed), so durability per call is unchanged.
 */
export function coalesce<T>(
  writeMany: (items: T[]) => Promise<void>,
  options: CoalesceOptions = {},
): GroupWriter<T> {
  const maxGroup = options.maxGroup ?? 512;
  const lingerMs = options.lingerMs ?? 0;
  const pending: { item: T; resolve(): void; reject(e: unknown): void }[] = [];
  let writing = false;
  let timer: NodeJS.Timeout | undefined;

  const flush = (): void => {
    clearTimeout(timer);
    timer = undefined;
    if (writing || pending.length === 0) return;
    const group = pending.splice(0, maxGroup);
    writing = true;
    writeMany(group.map((g) => g.item))
      .then(
        () => {
          for (const g of group) g.resolve();
        },
        (e: unknown) => {
          for (const g of group) g.reject(e);
        },
      )
      .finally(() => {
        writing = false;
        flush();
      });
  };

  const write = (item: T) =>
    new Promise<void>((resolve, reject) => {
      pending.push({ item, resolve, reject });
      if (pending.length >= maxGroup) flush();
      else if (pending.length === 1 && !writing) {
        if (lingerMs > 0) timer = setTimeout(flush, lingerMs);
        else queueMicrotask(flush);
      }
    });
  return Object.assign(write, { flush });
}
