import { Global, Module } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { AuthModule } from '../auth/auth.module.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { ROOT_LOGGER, type RootLogger } from '../common/logging/logger.module.js';
import { READINESS_CHECKS, ReadinessCheck } from '../health/readiness.js';
import { EVENT_BUS, EventBus } from './bus/event-bus.js';
import { InProcessBus } from './bus/in-process.bus.js';
import { RedisBus } from './bus/redis.bus.js';
import { EventCatalogueRegistry } from './events/event-catalogue.js';
import { ChannelAccessGuard } from './channels/channel-access.guard.js';
import { ChannelPolicyRegistry } from './channels/channel-policy.registry.js';
import { ChannelsController } from './http/channels.controller.js';
import { ChannelHub } from './hub/channel-hub.js';
import { DeadlineInterceptor } from './limits/deadline.interceptor.js';
import { RateLimitInterceptor } from './limits/rate-limit.interceptor.js';
import { RateLimitService } from './limits/rate-limit.service.js';
import { SizeLimitInterceptor } from './limits/size-limit.interceptor.js';
import { ChannelLogService } from './log/channel-log.service.js';
import { MetricsController } from './metrics/metrics.controller.js';
import { MetricsService } from './metrics/metrics.service.js';
import { KernelGateway } from './realtime.gateway.js';
import { RealtimeLifecycle } from './realtime.lifecycle.js';
import { RealtimeService } from './realtime.service.js';
import { ConnectionRegistry } from './session/connection-registry.js';
import { ClusterStats } from './cluster/cluster-stats.js';
import { RedisSocketCounter } from './cluster/redis-socket-counter.js';
import { LocalSocketCounter, SocketCounter } from './cluster/socket-counter.js';
import { UserChannelFamilies } from './channels/user-channel-families.js';
import { AccountSessions } from './kernel/account-sessions.js';
import { CommandRunner } from './kernel/command-runner.js';
import { SessionKernel } from './kernel/session-kernel.js';
import { JsonCommands } from './protocols/json/json-commands.js';
import { JsonProtocol } from './protocols/json/json-protocol.js';
import { StompProtocol } from './protocols/stomp/stomp-protocol.js';
import { SockJsTransport } from './transports/sockjs/sockjs.transport.js';
import { SseService } from './transports/sse/sse.service.js';

@Global()
@Module({
  imports: [AuthModule],
  controllers: [ChannelsController, MetricsController],
  providers: [
    {
      provide: EVENT_BUS,
      inject: [APP_CONFIG, ROOT_LOGGER],
      useFactory: (config: AppConfig, logger: RootLogger): EventBus =>
        config.redisUrl
          ? new RedisBus(config.redisUrl, logger.child({ component: 'bus' }))
          : new InProcessBus(),
    },
    {
      provide: READINESS_CHECKS,
      inject: [EVENT_BUS],
      useFactory: (bus: EventBus): ReadinessCheck[] =>
        bus.kind === 'redis' ? [{ name: 'redis', critical: false, check: () => bus.ping() }] : [],
    },
    {
      // How many sockets each user has on every node (presence reads it).
      provide: SocketCounter,
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
          logger.child({ component: 'socket-counter' }),
        );
      },
    },
    MetricsService,
    EventCatalogueRegistry,
    ChannelPolicyRegistry,
    ChannelLogService,
    ChannelHub,
    ConnectionRegistry,
    RateLimitService,
    ClusterStats,
    UserChannelFamilies,
    // The kernel: session lifecycle and the module command table.
    SessionKernel,
    AccountSessions,
    CommandRunner,
    // Protocols: what the bytes mean.
    JsonCommands,
    JsonProtocol,
    StompProtocol,
    // Transports beside the WebSocket adapter: how the bytes travel.
    SockJsTransport,
    SseService,
    RealtimeService,
    RealtimeLifecycle,
    KernelGateway,
    { provide: APP_GUARD, useClass: ChannelAccessGuard },
    { provide: APP_INTERCEPTOR, useClass: RateLimitInterceptor },
    { provide: APP_INTERCEPTOR, useClass: SizeLimitInterceptor },
    { provide: APP_INTERCEPTOR, useClass: DeadlineInterceptor },
  ],
  // The kernel's one door: modules write and listen through RealtimeService and
  // read the cross-node socket counts; sessions, the hub, the registry and the bus
  // stay inside.
  exports: [RealtimeService, SocketCounter, READINESS_CHECKS],
})
export class RealtimeModule {}
