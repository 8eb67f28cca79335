import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { AppException } from '../common/app.exception.js';
import { TokenBucketLimiter } from '../common/rate-limit/token-bucket.js';

/** Slows password guessing: sign-in attempts are limited per client IP and per email. */
@Injectable()
export class AuthRateLimiter {
  private readonly byIp: TokenBucketLimiter;
  private readonly byEmail: TokenBucketLimiter;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const { perIp, perEmail, windowMs } = config.authRate;
    this.byIp = new TokenBucketLimiter(perIp, windowMs);
    this.byEmail = new TokenBucketLimiter(perEmail, windowMs);
  }

  /** Throws RATE_LIMITED (429 with Retry-After) when either budget is spent. */
  check(ip: string, email: string): void {
    const ipResult = this.byIp.take(ip);
    if (!ipResult.allowed) throw AppException.rateLimited(ipResult.retryAfterMs);
    const emailResult = this.byEmail.take(email.toLowerCase());
    if (!emailResult.allowed) throw AppException.rateLimited(emailResult.retryAfterMs);
  }
}
