export interface TakeResult {
  allowed: boolean;
  /** When refused: milliseconds until one token is available again. */
  retryAfterMs: number;
  remaining: number;
}

/**
 * Token buckets by key: each holds at most `capacity` tokens and regains
 * `capacity` tokens every `windowMs`. Buckets that are full again are forgotten,
 * so memory follows the number of recently active keys.
 */
export class TokenBucketLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly refillPerMs: number;
  private lastSweep = 0;

  constructor(
    readonly capacity: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.refillPerMs = capacity / windowMs;
  }

  take(key: string, cost = 1): TakeResult {
    const now = this.now();
    this.sweep(now);
    const b = this.buckets.get(key) ?? { tokens: this.capacity, at: now };
    b.tokens = Math.min(this.capacity, b.tokens + (now - b.at) * this.refillPerMs);
    b.at = now;
    if (b.tokens >= cost) {
      b.tokens -= cost;
      this.buckets.set(key, b);
      return { allowed: true, retryAfterMs: 0, remaining: Math.floor(b.tokens) };
    }
    this.buckets.set(key, b);
    return {
      allowed: false,
      retryAfterMs: Math.max(1, Math.ceil((cost - b.tokens) / this.refillPerMs)),
      remaining: 0,
    };
  }

  /**
   * Lowers the bucket of `key` to at most `tokens` (a figure learnt elsewhere,
   * e.g. the shared bucket of every node): never raises it.
   */
  cap(key: string, tokens: number): void {
    const now = this.now();
    const b = this.buckets.get(key) ?? { tokens: this.capacity, at: now };
    b.tokens = Math.min(this.capacity, b.tokens + (now - b.at) * this.refillPerMs, tokens);
    b.at = now;
    this.buckets.set(key, b);
  }

  get size(): number {
    return this.buckets.size;
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < this.windowMs) return;
    this.lastSweep = now;
    for (const [key, b] of this.buckets) {
      if (b.tokens + (now - b.at) * this.refillPerMs >= this.capacity) this.buckets.delete(key);
    }
  }
}
