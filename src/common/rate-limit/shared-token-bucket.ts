import { TakeResult, TokenBucketLimiter } from './token-bucket.js';

/** What a shared counter answers: the decision and the tokens left in the shared bucket. */
export interface SharedTake extends TakeResult {
  tokens: number;
}

/**
 * Token buckets every node of a deployment sees (Redis). One round trip per
 * take. `null` instead of a promise when the store cannot answer now (not
 * connected, or it failed a moment ago), and a promise of `null` when it failed
 * this time: the caller then decides alone.
 */
export interface SharedCounterStore {
  take(
    bucket: string,
    key: string,
    capacity: number,
    windowMs: number,
    cost: number,
  ): Promise<SharedTake | null> | null;
}

/**
 * A token bucket per key that holds across nodes when a shared store is
 * configured. This node's own bucket is the fast path: it counts only what
 * reached this node, so when it refuses, the shared one (which counts every
 * node) would refuse too, and no round trip is made; a flood is refused
 * locally. What it admits is decided by the shared bucket, whose remaining
 * tokens then lower the local one. When the store is down the local bucket
 * decides alone: each node keeps its own budget (bounded, never unlimited).
 *
 * `take` answers synchronously whenever no round trip is made, so that callers
 * on the hot path (every socket frame) pay for a promise only with a store.
 */
export class SharedTokenBucket {
  private readonly local: TokenBucketLimiter;

  constructor(
    readonly name: string,
    readonly capacity: number,
    readonly windowMs: number,
    private readonly store: SharedCounterStore | null,
    now: () => number = Date.now,
  ) {
    this.local = new TokenBucketLimiter(capacity, windowMs, now);
  }

  take(key: string, cost = 1): TakeResult | Promise<TakeResult> {
    const local = this.local.take(key, cost);
    if (!local.allowed || !this.store) return local;
    const shared = this.store.take(this.name, key, this.capacity, this.windowMs, cost);
    if (shared === null) return local;
    return shared.then((r) => {
      if (r === null) return local;
      this.local.cap(key, r.tokens);
      return { allowed: r.allowed, retryAfterMs: r.retryAfterMs, remaining: r.remaining };
    });
  }

  /** Buckets this node remembers (its local ones). */
  get size(): number {
    return this.local.size;
  }
}
