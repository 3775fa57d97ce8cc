// Bounded concurrency for fan-out writes (registering thousands of nodes, renewing their leases): at most `limit`
// calls of fn run at once; resolves when all have settled. Errors are the caller's business (fn should catch).
export async function forEachLimit<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}
