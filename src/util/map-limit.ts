/**
 * `items.map(fn)` with at most `limit` calls in flight, results in the order of `items` (so a listing made
 * concurrently still comes out in a deterministic order). The first failure rejects the whole; calls already
 * started are left to finish.
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
