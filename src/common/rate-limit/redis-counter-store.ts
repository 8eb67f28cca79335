import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger as PinoLogger } from 'pino';
import type { SharedCounterStore, SharedTake } from './shared-token-bucket.js';

/**
 * One token bucket in a Redis hash, taken atomically: refill since the last
 * take (Redis's own clock, so the nodes' clocks do not matter), spend `cost`
 * when there is enough, and expire the key once it would be full again (a full
 * bucket and no key are the same thing).
 */
const TAKE = `
local capacity = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local rate = capacity / window
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - at) * rate)
local allowed = 0
local retry = 0
if tokens >= cost then
  tokens = tokens - cost
  allowed = 1
else
  retry = math.max(1, math.ceil((cost - tokens) / rate))
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - tokens) / rate) + 1000)
return { allowed, retry, tostring(tokens) }
`;
const TAKE_SHA = createHash('sha1').update(TAKE).digest('hex');

/** How long a failed or slow Redis is left alone before it is asked again. */
const BACKOFF_MS = 1000;

/**
 * Shared token buckets in Redis, on a connection of their own: nothing queues
 * while it is down (the callers decide alone at once), and a command that
 * takes longer than `timeoutMs` counts as a failure, so a Redis that stopped
 * answering holds no frame for longer than that.
 */
export class RedisCounterStore implements SharedCounterStore {
  private readonly redis: Redis;
  private suspendedUntil = 0;
  private warned = false;

  constructor(
    url: string,
    private readonly prefix: string,
    private readonly logger: PinoLogger,
    timeoutMs = 250,
  ) {
    this.redis = new Redis(url, {
      connectionName: 'rt-limits',
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: timeoutMs,
      // Frames admitted in the same tick share one write and one read.
      enableAutoPipelining: true,
      retryStrategy: (times: number) => Math.min(50 * 2 ** Math.min(times, 6), 2000),
    });
    this.redis.on('error', (err: Error) => this.failed(err));
    this.redis.on('ready', () => {
      this.warned = false;
      this.suspendedUntil = 0;
    });
  }

  take(
    bucket: string,
    key: string,
    capacity: number,
    windowMs: number,
    cost: number,
  ): Promise<SharedTake | null> | null {
    if (this.redis.status !== 'ready' || Date.now() < this.suspendedUntil) return null;
    const k = `${this.prefix}${bucket}:${key}`;
    return this.eval(k, capacity, windowMs, cost).then(
      (reply) => {
        const [allowed, retry, tokens] = reply as [number, number, string];
        const left = Number(tokens);
        return {
          allowed: allowed === 1,
          retryAfterMs: retry,
          remaining: Math.floor(left),
          tokens: left,
        };
      },
      (err: unknown) => {
        this.failed(err);
        return null;
      },
    );
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }

  private async eval(
    key: string,
    capacity: number,
    windowMs: number,
    cost: number,
  ): Promise<unknown> {
    try {
      return await this.redis.evalsha(TAKE_SHA, 1, key, capacity, windowMs, cost);
    } catch (err) {
      // A restarted Redis has forgotten the script: send it whole once.
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return this.redis.eval(TAKE, 1, key, capacity, windowMs, cost);
    }
  }

  private failed(err: unknown): void {
    this.suspendedUntil = Date.now() + BACKOFF_MS;
    if (this.warned) return;
    this.warned = true;
    this.logger.warn(
      { err: err instanceof Error ? err.message : String(err) },
      'shared rate limits unavailable: each node counts alone until Redis answers',
    );
  }
}
