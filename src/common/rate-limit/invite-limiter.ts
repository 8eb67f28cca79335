import { Global, Inject, Injectable, Module } from '@nestjs/common';
import type { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { AppException } from '../app.exception.js';
import { ErrorCode } from '../error-codes.js';
import { TokenBucketLimiter } from './token-bucket.js';

/**
 * How many other users one user may reach with invitations (calendar invites,
 * being added to a conversation), which push to their own channel and
 * notifications without their consent: INVITE_RATE_LIMIT people per
 * INVITE_RATE_WINDOW_MS, every module's invitations from one budget. Each
 * invitation costs the number of people newly invited.
 */
@Injectable()
export class InviteLimiter {
  private readonly buckets: TokenBucketLimiter;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.buckets = new TokenBucketLimiter(config.invites.limit, config.invites.windowMs);
  }

  /** Spends `people` of the user's budget; throws RATE_LIMITED (nothing spent) when it is short. */
  spend(userId: string, people: number): void {
    if (people <= 0) return;
    const r = this.buckets.take(userId, people);
    if (!r.allowed)
      throw new AppException(
        ErrorCode.RATE_LIMITED,
        `Too many invitations: at most ${this.buckets.capacity} people per ${Math.round(this.buckets.windowMs / 60_000)} minutes`,
        undefined,
        r.retryAfterMs,
      );
  }
}

/** One budget for every module that invites (global, so each gets the same limiter). */
@Global()
@Module({ providers: [InviteLimiter], exports: [InviteLimiter] })
export class InviteLimitsModule {}
