export interface BackoffOptions {
  /** The ceiling of the first retry's delay. Default 1000 ms. */
  baseMs?: number;
  /** The largest ceiling. Default 30000 ms. */
  maxMs?: number;
  /** After a 4429 (abuse) close, wait at least this long. Default 30000 ms. */
  abuseMs?: number;
}

export const DEFAULT_BACKOFF: Required<BackoffOptions> = {
  baseMs: 1000,
  maxMs: 30_000,
  abuseMs: 30_000,
};

/**
 * Exponential backoff with full jitter: a delay drawn uniformly in
 * [0, min(maxMs, baseMs * 2^attempt)). Full jitter spreads the clients a
 * server restart disconnected, instead of bringing them back in waves.
 */
export function backoffDelay(
  attempt: number,
  opts: Required<BackoffOptions> = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.max(0, attempt));
  return Math.floor(random() * ceiling);
}

/** What to do after the socket closed, by close code (docs/protocol.md, "Errors and close codes"). */
export type CloseDecision =
  | { kind: 'retry'; delayMs: number }
  /** 4401: ask `getToken` again; reconnect only with a different token. */
  | { kind: 'renew-token' };

/**
 * 1001 (server shutting down) retries at once: another node takes over, and a
 * refused upgrade then backs off like any failure. 4429 (abuse) waits at least
 * `abuseMs` on top of the jittered delay, so the rate budget can refill.
 */
export function decideAfterClose(
  code: number,
  attempt: number,
  opts: Required<BackoffOptions> = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): CloseDecision {
  if (code === 4401) return { kind: 'renew-token' };
  if (code === 1001 && attempt === 0) return { kind: 'retry', delayMs: 0 };
  const delay = backoffDelay(attempt, opts, random);
  if (code === 4429) return { kind: 'retry', delayMs: opts.abuseMs + delay };
  return { kind: 'retry', delayMs: delay };
}
