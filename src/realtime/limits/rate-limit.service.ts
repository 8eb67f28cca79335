import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { AppException } from '../../common/app.exception.js';
import { TokenBucketLimiter } from '../../common/rate-limit/token-bucket.js';
import { MetricsService } from '../metrics/metrics.service.js';

/**
 * The per-user command budget shared by socket frames and HTTP writes
 * (WS_RATE_LIMIT per WS_RATE_WINDOW_MS, per IP for anonymous callers), and the
 * per-IP budget of connection attempts.
 */
@Injectable()
export class RateLimitService {
  private readonly commands: TokenBucketLimiter;
  private readonly connects: TokenBucketLimiter;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly metrics: MetricsService,
  ) {
    this.commands = new TokenBucketLimiter(config.ws.rateLimit, config.ws.rateWindowMs);
    this.connects = new TokenBucketLimiter(config.ws.connectRatePerIp, 60_000);
  }

  /** Throws RATE_LIMITED with retryAfterMs when the budget of `key` is spent. */
  consume(key: string, transport: 'ws' | 'http'): void {
    const r = this.commands.take(key);
    if (!r.allowed) {
      this.metrics.rateLimited.inc({ transport });
      throw AppException.rateLimited(r.retryAfterMs);
    }
  }

  /** Returns the wait in ms when the IP has opened too many connections, else 0. */
  connectAttempt(ip: string): number {
    const r = this.connects.take(ip);
    if (!r.allowed) this.metrics.rateLimited.inc({ transport: 'ws' });
    return r.allowed ? 0 : r.retryAfterMs;
  }
}
