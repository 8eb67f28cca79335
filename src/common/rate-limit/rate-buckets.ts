import { Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import type { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { ROOT_LOGGER, type RootLogger } from '../logging/logger.module.js';
import { RedisCounterStore } from './redis-counter-store.js';
import { SharedTokenBucket } from './shared-token-bucket.js';

/**
 * Where every rate limit gets its buckets: shared by all nodes through Redis
 * when REDIS_URL is set (one store, one connection), this process's own
 * otherwise. The frame budget, the connect limit and the sign-in limits all
 * take theirs here, so a limit means the same on one node or on ten.
 */
@Injectable()
export class RateBuckets implements OnApplicationShutdown {
  private readonly store: RedisCounterStore | null;

  constructor(@Inject(APP_CONFIG) config: AppConfig, @Inject(ROOT_LOGGER) logger: RootLogger) {
    this.store = config.redisUrl
      ? new RedisCounterStore(
          config.redisUrl,
          config.rateLimitRedisPrefix,
          logger.child({ component: 'rate-limits' }),
        )
      : null;
  }

  /** `name` keeps the keys of two limits apart in the shared store. */
  bucket(name: string, capacity: number, windowMs: number): SharedTokenBucket {
    return new SharedTokenBucket(name, capacity, windowMs, this.store);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store?.close();
  }
}

@Global()
@Module({ providers: [RateBuckets], exports: [RateBuckets] })
export class RateBucketsModule {}
