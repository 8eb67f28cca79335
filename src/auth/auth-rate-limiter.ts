import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { AppException } from '../common/app.exception.js';
import { TokenBucketLimiter } from '../common/rate-limit/token-bucket.js';

/**
 * Slows password guessing without handing anyone a lock on a victim's account:
 * attempts are limited per client IP (AUTH_RATE_LIMIT_PER_IP), per IP and email
 * together (AUTH_RATE_LIMIT_PER_EMAIL: one client guessing one account), and per
 * email from every address together by a larger ceiling that refills slowly
 * (AUTH_RATE_EMAIL_CEILING per AUTH_RATE_EMAIL_CEILING_WINDOW_MS: guessing
 * spread over many addresses). Attempts from another address no longer block
 * the owner until that ceiling is spent. In-process buckets (per node).
 */
@Injectable()
export class AuthRateLimiter {
  private readonly byIp: TokenBucketLimiter;
  private readonly byIpAndEmail: TokenBucketLimiter;
  private readonly byEmail: TokenBucketLimiter;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const { perIp, perEmail, windowMs, emailCeiling, emailCeilingWindowMs } = config.authRate;
    this.byIp = new TokenBucketLimiter(perIp, windowMs);
    this.byIpAndEmail = new TokenBucketLimiter(perEmail, windowMs);
    this.byEmail = new TokenBucketLimiter(emailCeiling, emailCeilingWindowMs);
  }

  /** Throws RATE_LIMITED (429 with Retry-After) when a budget is spent. */
  check(ip: string, email: string): void {
    const address = email.toLowerCase();
    const ipResult = this.byIp.take(ip);
    if (!ipResult.allowed) throw AppException.rateLimited(ipResult.retryAfterMs);
    const pairResult = this.byIpAndEmail.take(`${ip}\n${address}`);
    if (!pairResult.allowed) throw AppException.rateLimited(pairResult.retryAfterMs);
    const emailResult = this.byEmail.take(address);
    if (!emailResult.allowed) throw AppException.rateLimited(emailResult.retryAfterMs);
  }
}
