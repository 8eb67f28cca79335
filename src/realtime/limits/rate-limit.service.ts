import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { AppException } from '../../common/app.exception.js';
import { RateBuckets } from '../../common/rate-limit/rate-buckets.js';
import type { SharedTokenBucket } from '../../common/rate-limit/shared-token-bucket.js';
import type { TakeResult } from '../../common/rate-limit/token-bucket.js';
import { MetricsService } from '../metrics/metrics.service.js';

/** A refusal (RATE_LIMITED with retryAfterMs), or null when admitted. */
export type RateDecision = AppException | null;

/**
 * The per-user command budget shared by socket frames and HTTP writes
 * (WS_RATE_LIMIT per WS_RATE_WINDOW_MS, per IP for anonymous callers), and the
 * per-IP budget of connection attempts; both hold across nodes with Redis.
 */
@Injectable()
export class RateLimitService {
  private readonly commands: SharedTokenBucket;
  private readonly connects: SharedTokenBucket;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly metrics: MetricsService,
    buckets: RateBuckets,
  ) {
    this.commands = buckets.bucket('cmd', config.ws.rateLimit, config.ws.rateWindowMs);
    this.connects = buckets.bucket('connect', config.ws.connectRatePerIp, 60_000);
  }

  /**
   * Spends one command of `key`'s budget. Answers at once when this node can
   * decide alone (no Redis, Redis down, or over this node's share already),
   * else after one round trip: every socket frame comes through here.
   */
  spend(key: string, transport: 'ws' | 'http'): RateDecision | Promise<RateDecision> {
    const r = this.commands.take(key);
    return r instanceof Promise
      ? r.then((x) => this.decision(x, transport))
      : this.decision(r, transport);
  }

  /** Throws RATE_LIMITED with retryAfterMs when the budget of `key` is spent. */
  async consume(key: string, transport: 'ws' | 'http'): Promise<void> {
    const refusal = await this.spend(key, transport);
    if (refusal) throw refusal;
  }

  /** Resolves with the wait in ms when the IP has opened too many connections, else 0. */
  async connectAttempt(ip: string): Promise<number> {
    const r = await this.connects.take(ip);
    if (!r.allowed) this.metrics.rateLimited.inc({ transport: 'ws' });
    return r.allowed ? 0 : r.retryAfterMs;
  }

  private decision(r: TakeResult, transport: 'ws' | 'http'): RateDecision {
    if (r.allowed) return null;
    this.metrics.rateLimited.inc({ transport });
    return AppException.rateLimited(r.retryAfterMs);
  }
}
