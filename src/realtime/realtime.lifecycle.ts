import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { ROOT_LOGGER, type RootLogger } from '../common/logging/logger.module.js';
import { EVENT_BUS, type EventBus } from './bus/event-bus.js';
import { ChannelLogService } from './log/channel-log.service.js';
import { MetricsService } from './metrics/metrics.service.js';
import { ConnectionRegistry } from './session/connection-registry.js';
import { SessionKernel } from './kernel/session-kernel.js';

/** Background retention, and the start of a graceful shutdown. */
@Injectable()
export class RealtimeLifecycle
  implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  private pruneTimer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ROOT_LOGGER) private readonly logger: RootLogger,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly log: ChannelLogService,
    private readonly registry: ConnectionRegistry,
    private readonly kernel: SessionKernel,
    metrics: MetricsService,
  ) {
    bus.onReconnect(() => metrics.busReconnects.inc());
    metrics.reportBusDropped(() => bus.dropped);
  }

  onApplicationBootstrap(): void {
    this.pruneTimer = setInterval(() => {
      this.log.prune().then(
        (n) => n > 0 && this.logger.debug({ pruned: n }, 'channel log pruned'),
        (err: unknown) => this.logger.warn({ err }, 'channel log pruning failed'),
      );
    }, this.config.history.pruneIntervalMs);
    this.pruneTimer.unref();
  }

  /** Refuse new sockets and end event streams, so the HTTP server can drain. */
  beforeApplicationShutdown(): void {
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    this.kernel.draining = true;
    for (const s of [...this.registry.all()])
      if (s.transport === 'sse') s.close(1001, 'server shutting down');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.bus.close();
  }
}
