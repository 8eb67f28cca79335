import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { AppException } from '../common/app.exception.js';
import { RateBuckets } from '../common/rate-limit/rate-buckets.js';
import type { SharedTokenBucket } from '../common/rate-limit/shared-token-bucket.js';

/**
 * Slows password guessing without handing anyone a lock on a victim's account:
 * attempts are limited per client IP (AUTH_RATE_LIMIT_PER_IP), per IP and email
 * together (AUTH_RATE_LIMIT_PER_EMAIL: one client guessing one account), and per
 * email from every address together by a larger ceiling that refills slowly
 * (AUTH_RATE_EMAIL_CEILING per AUTH_RATE_EMAIL_CEILING_WINDOW_MS: guessing
 * spread over many addresses). Attempts from another address do not block the
 * owner until that ceiling is spent. The budgets hold across every node when
 * Redis is configured (RateBuckets).
 */
@Injectable()
export class AuthRateLimiter {
  private readonly byIp: SharedTokenBucket;
  private readonly byIpAndEmail: SharedTokenBucket;
  private readonly byEmail: SharedTokenBucket;

  constructor(@Inject(APP_CONFIG) config: AppConfig, buckets: RateBuckets) {
    const { perIp, perEmail, windowMs, emailCeiling, emailCeilingWindowMs } = config.authRate;
    this.byIp = buckets.bucket('signin-ip', perIp, windowMs);
    this.byIpAndEmail = buckets.bucket('signin-ip-email', perEmail, windowMs);
    this.byEmail = buckets.bucket('signin-email', emailCeiling, emailCeilingWindowMs);
  }

  /**
   * Throws RATE_LIMITED (429 with Retry-After) when a budget is spent.
   * Asynchronous: a shared budget is a round trip to Redis.
   */
  async check(ip: string, email: string): Promise<void> {
    const address = email.toLowerCase();
    const ipResult = await this.byIp.take(ip);
    if (!ipResult.allowed) throw AppException.rateLimited(ipResult.retryAfterMs);
    const pairResult = await this.byIpAndEmail.take(`${ip}\n${address}`);
    if (!pairResult.allowed) throw AppException.rateLimited(pairResult.retryAfterMs);
    const emailResult = await this.byEmail.take(address);
    if (!emailResult.allowed) throw AppException.rateLimited(emailResult.retryAfterMs);
  }
}
