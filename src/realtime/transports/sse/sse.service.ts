import { Inject, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { AuthUser } from '../../../auth/auth.types.js';
import type { AppConfig } from '../../../config/app-config.js';
import { APP_CONFIG } from '../../../config/config.module.js';
import { ChannelHub } from '../../hub/channel-hub.js';
import { SessionKernel } from '../../kernel/session-kernel.js';
import { MetricsService } from '../../metrics/metrics.service.js';
import { ConnectionRegistry } from '../../session/connection-registry.js';
import { subscribedFrame } from '../../protocols/json/frames.js';
import { decodeCursor, SseSession } from './sse-session.js';

/** Opens Server-Sent Event streams on the same hub and sessions as the socket. */
@Injectable()
export class SseService {
  constructor(
    private readonly hub: ChannelHub,
    private readonly registry: ConnectionRegistry,
    private readonly metrics: MetricsService,
    private readonly kernel: SessionKernel,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Streams the given (already authorised) channels until the client goes away,
   * resuming each from the `Last-Event-ID` cursor when one is given.
   */
  async open(
    req: Request,
    res: Response,
    user: AuthUser | null,
    channels: string[],
    lastEventId: string | undefined,
  ): Promise<SseSession> {
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('Connection', 'keep-alive');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    req.socket.setKeepAlive(true);
    req.socket.setNoDelay(true);
    req.socket.setTimeout(0);

    const session = new SseSession(res, user, req.ip ?? 'unknown');
    session.meter = this.metrics.frames;
    this.registry.add(session);
    if (user) await this.registry.opened(session);
    this.metrics.openSockets.inc({ transport: 'sse' });
    res.write(`retry: 2000\n\n`);
    const heartbeat = setInterval(() => session.comment('ping'), this.config.ws.heartbeatMs);
    heartbeat.unref();
    // The stream ends with its token (the contract, section 7): a stolen token
    // must not keep a private stream open.
    this.kernel.armExpiry(session);
    const cleanup = (): void => {
      if (session.closed) return;
      session.closed = true;
      clearInterval(heartbeat);
      if (session.expiryTimer) clearTimeout(session.expiryTimer);
      this.hub.leaveAll(session);
      this.registry.remove(session);
      this.metrics.openSockets.dec({ transport: 'sse' });
    };
    res.on('close', cleanup);

    const cursor = decodeCursor(lastEventId);
    for (const channel of channels)
      if (cursor[channel] !== undefined) session.resumedFrom[channel] = cursor[channel];
    for (const channel of channels) {
      if (session.closed) break;
      await this.hub.join(session, channel, cursor[channel], {
        reply: (r) => session.send(subscribedFrame(channel, r)),
      });
    }
    return session;
  }
}
