import { Inject, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { AuthUser } from '../../../auth/auth.types.js';
import type { AppConfig } from '../../../config/app-config.js';
import { APP_CONFIG } from '../../../config/config.module.js';
import { AppException } from '../../../common/app.exception.js';
import { ErrorCode } from '../../../common/error-codes.js';
import { ROOT_LOGGER, type RootLogger } from '../../../common/logging/logger.module.js';
import { ChannelHub } from '../../hub/channel-hub.js';
import { SessionKernel } from '../../kernel/session-kernel.js';
import { RateLimitService } from '../../limits/rate-limit.service.js';
import { MetricsService } from '../../metrics/metrics.service.js';
import { ConnectionRegistry } from '../../session/connection-registry.js';
import { subscribedFrame } from '../../protocols/json/frames.js';
import { decodeCursor, SseSession } from './sse-session.js';

/** What a client told to close some streams waits before it tries again. */
const STREAM_CAP_RETRY_MS = 5000;

/** Opens Server-Sent Event streams on the same hub and sessions as the socket. */
@Injectable()
export class SseService {
  private readonly perUser = new Map<string, number>();
  private readonly perIp = new Map<string, number>();

  constructor(
    private readonly hub: ChannelHub,
    private readonly registry: ConnectionRegistry,
    private readonly metrics: MetricsService,
    private readonly kernel: SessionKernel,
    private readonly limits: RateLimitService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ROOT_LOGGER) private readonly logger: RootLogger,
  ) {}

  /**
   * The checks of a WebSocket upgrade, before the stream's channels are even
   * authorised: the connect rate per IP (a stream is a connection), and
   * anonymity (`WS_ALLOW_ANONYMOUS`; an anonymous stream reads public channels
   * only, as the channel policies decide).
   */
  async admit(req: Request, user: AuthUser | null): Promise<void> {
    const wait = await this.limits.connectAttempt(clientIp(req));
    if (wait > 0) throw AppException.rateLimited(wait);
    if (!user && !this.config.ws.allowAnonymous)
      throw AppException.unauthorized('A token is required');
  }

  /**
   * Streams the given (already authorised) channels until the client goes away,
   * resuming each from the `Last-Event-ID` cursor when one is given. Refused
   * (429) past the open streams allowed per user and per IP.
   */
  async open(
    req: Request,
    res: Response,
    user: AuthUser | null,
    channels: string[],
    lastEventId: string | undefined,
  ): Promise<SseSession> {
    const ip = clientIp(req);
    const release = this.hold(user, ip);
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('Connection', 'keep-alive');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    req.socket.setKeepAlive(true);
    req.socket.setNoDelay(true);
    req.socket.setTimeout(0);

    const session = new SseSession(res, user, ip, this.config.sse.maxBufferedBytes, () => {
      // A client that stopped reading: its events would pile up in this process.
      this.logger.info({ sessionId: session.id }, 'event stream ended: the client is not reading');
      res.destroy();
    });
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
      release();
      clearInterval(heartbeat);
      if (session.expiryTimer) clearTimeout(session.expiryTimer);
      this.hub.leaveAll(session);
      this.registry.remove(session);
      this.metrics.openSockets.dec({ transport: 'sse' });
    };
    res.on('close', cleanup);
    // Gone already (while the opening hooks ran): 'close' will not come again.
    if (res.destroyed) cleanup();

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

  /** Counts the stream against its user's and its address's caps; returns its release. */
  private hold(user: AuthUser | null, ip: string): () => void {
    const { maxPerUser, maxPerIp } = this.config.sse;
    if (user && (this.perUser.get(user.id) ?? 0) >= maxPerUser)
      throw tooManyStreams(`at most ${maxPerUser} open event streams per user`);
    if ((this.perIp.get(ip) ?? 0) >= maxPerIp)
      throw tooManyStreams(`at most ${maxPerIp} open event streams per address`);
    if (user) bump(this.perUser, user.id, 1);
    bump(this.perIp, ip, 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (user) bump(this.perUser, user.id, -1);
      bump(this.perIp, ip, -1);
    };
  }
}

function tooManyStreams(message: string): AppException {
  return new AppException(
    ErrorCode.RATE_LIMITED,
    `Too many event streams: ${message}`,
    undefined,
    STREAM_CAP_RETRY_MS,
  );
}

function bump(counts: Map<string, number>, key: string, by: number): void {
  const n = (counts.get(key) ?? 0) + by;
  if (n > 0) counts.set(key, n);
  else counts.delete(key);
}

function clientIp(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}
