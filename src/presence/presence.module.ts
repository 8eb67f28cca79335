import { Module } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { ROOT_LOGGER, type RootLogger } from '../common/logging/logger.module.js';
import { EVENT_BUS, type EventBus } from '../realtime/bus/event-bus.js';
import { RedisBus } from '../realtime/bus/redis.bus.js';
import { RedisSocketCounter } from './counters/redis-socket-counter.js';
import { LocalSocketCounter, SocketCounter } from './counters/socket-counter.js';
import { PresenceAccess } from './presence.access.js';
import { PresenceController } from './presence.controller.js';
import { PresenceGateway } from './presence.gateway.js';
import { PresenceRepository } from './presence.repository.js';
import { PresenceService, SOCKET_COUNTER } from './presence.service.js';

/** Online/away/dnd/offline with a grace period, counted across instances when Redis is there. */
@Module({
  providers: [
    {
      provide: SOCKET_COUNTER,
      inject: [APP_CONFIG, ROOT_LOGGER, EVENT_BUS],
      useFactory: (config: AppConfig, logger: RootLogger, bus: EventBus): SocketCounter => {
        if (!(bus instanceof RedisBus)) return new LocalSocketCounter();
        const { graceMs, instanceTtlMs, redisPrefix } = config.presence;
        const sweepMs = Math.max(
          50,
          Math.min(1000, Math.floor(Math.min(graceMs, instanceTtlMs) / 4)),
        );
        return new RedisSocketCounter(
          bus.pub,
          bus.nodeId,
          redisPrefix,
          instanceTtlMs,
          sweepMs,
          logger.child({ component: 'presence' }),
        );
      },
    },
    PresenceRepository,
    PresenceAccess,
    PresenceService,
    PresenceGateway,
  ],
  controllers: [PresenceController],
  exports: [PresenceService],
})
export class PresenceModule {}
