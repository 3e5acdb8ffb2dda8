/**
 * Group commit: items written while a write is in flight (or in the same tick) go to the store together in the
 * next write, so concurrent calls share one transaction. Each caller's promise settles when its own group is
 * durable (or failed), so durability per call is unchanged. When no write is in flight the group goes out at the
 * end of the current tick (a microtask, not a timer or a turn of the event loop): a lone call waits for nothing.
 */
export function coalesce<T>(
  writeMany: (items: T[]) => Promise<void>,
  maxGroup = 512,
): (item: T) => Promise<void> {
  const pending: { item: T; resolve(): void; reject(e: unknown): void }[] = [];
  let writing = false;

  const flush = (): void => {
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

  return (item) =>
    new Promise<void>((resolve, reject) => {
      pending.push({ item, resolve, reject });
      if (pending.length === 1) queueMicrotask(flush);
    });
}
