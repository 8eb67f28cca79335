import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { AppException } from '../common/app.exception.js';
import { RateBuckets } from '../common/rate-limit/rate-buckets.js';
import type { SharedTokenBucket } from '../common/rate-limit/shared-token-bucket.js';

/**
 * Slows password guessing: sign-in attempts are limited per client IP and per
 * email, across every node when Redis is configured (RateBuckets).
 */
@Injectable()
export class AuthRateLimiter {
  private readonly byIp: SharedTokenBucket;
  private readonly byEmail: SharedTokenBucket;

  constructor(@Inject(APP_CONFIG) config: AppConfig, buckets: RateBuckets) {
    const { perIp, perEmail, windowMs } = config.authRate;
    this.byIp = buckets.bucket('signin-ip', perIp, windowMs);
    this.byEmail = buckets.bucket('signin-email', perEmail, windowMs);
  }

  /**
   * Throws RATE_LIMITED (429 with Retry-After) when either budget is spent.
   * Asynchronous: a shared budget is a round trip to Redis.
   */
  async check(ip: string, email: string): Promise<void> {
    const ipResult = await this.byIp.take(ip);
    if (!ipResult.allowed) throw AppException.rateLimited(ipResult.retryAfterMs);
    const emailResult = await this.byEmail.take(email.toLowerCase());
    if (!emailResult.allowed) throw AppException.rateLimited(emailResult.retryAfterMs);
  }
}
