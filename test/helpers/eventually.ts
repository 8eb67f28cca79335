/** Resolves `ms` later (for pacing, never for asserting that something did not happen). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Retries `check` until it stops throwing (or returns without failing an
 * expectation), then resolves with its value; after `timeoutMs` rethrows the last
 * failure. For effects that happen in the background (pruning, reconnects, fan-out).
 */
export async function expectEventually<T>(
  check: () => T | Promise<T>,
  { timeoutMs = 15_000, intervalMs = 50 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > until) throw err;
    }
    await sleep(intervalMs);
  }
}
