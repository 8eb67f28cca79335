import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import type { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { AppException } from '../../common/app.exception.js';
import { ROOT_LOGGER, type RootLogger } from '../../common/logging/logger.module.js';
import { userChannel } from '../channels/channel-name.js';
import type { AuthUser } from '../../auth/auth.types.js';
import { ChannelHub, type ChannelHold } from '../hub/channel-hub.js';
import { RateDecision, RateLimitService } from '../limits/rate-limit.service.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { CloseCode } from '../session/close-codes.js';
import { ConnectionRegistry } from '../session/connection-registry.js';
import type { RtSession } from '../session/session.js';
import { SocketSession } from '../session/socket-session.js';

/** The longest delay setTimeout accepts. */
const MAX_TIMER_MS = 2_147_483_647;

/** What `admit` answers when a frame is over the session's budget. */
export interface Refusal {
  error: AppException;
  /** Past the abuse threshold: the session is closing (4429) once its owed replies went out. */
  abuse: boolean;
}

/**
 * The lifecycle of two-way sessions, whatever their transport and protocol:
 * attaching and greeting (after the opening hooks), the user channel, the
 * rate budget and abuse, the heartbeat, idle and token-expiry closes, and the
 * draining close on shutdown. Protocols call it; it never parses a frame.
 */
@Injectable()
export class SessionKernel implements OnModuleDestroy {
  draining = false;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private readonly sessions = new Set<SocketSession>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ROOT_LOGGER) private readonly logger: RootLogger,
    private readonly registry: ConnectionRegistry,
    private readonly hub: ChannelHub,
    private readonly limits: RateLimitService,
    private readonly metrics: MetricsService,
  ) {}

  /** Starts the heartbeat and idle sweeps (once the server exists). */
  start(): void {
    if (this.heartbeatTimer) return;
    this.heartbeatTimer = setInterval(() => this.heartbeat(), this.config.ws.heartbeatMs);
    this.heartbeatTimer.unref();
    const idleEvery = Math.max(50, Math.min(5000, Math.floor(this.config.ws.idleTimeoutMs / 4)));
    this.idleTimer = setInterval(() => this.closeIdle(), idleEvery);
    this.idleTimer.unref();
  }

  onModuleDestroy(): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    if (this.idleTimer) clearInterval(this.idleTimer);
  }

  get openSessions(): number {
    return this.sessions.size;
  }

  /** A connection passed the transport's checks: index its session, listen, and let the protocol start. */
  attach(session: SocketSession): void {
    session.meter = this.metrics.frames;
    this.sessions.add(session);
    this.registry.add(session);
    this.metrics.openSockets.inc({ transport: session.transport });
    session.connection.bind({
      message: (data, isBinary) => {
        session.lastActivity = Date.now();
        // Closing for abuse: what was accepted gets its replies; nothing more is read.
        if (!session.closing) session.receive(data, isBinary);
      },
      close: () => this.detach(session),
      overflow: () => this.end(session, CloseCode.SLOW_CONSUMER, 'slow consumer'),
    });
    session.start();
  }

  /**
   * Opens the user's channel on this node while their socket upgrades (the
   * JSON protocol subscribes everyone to it): an event committed while the
   * upgrade completes is then replayed rather than missed. Handed to the
   * session, which releases it in `open` or when it ends.
   */
  holdUserChannel(user: AuthUser): Promise<ChannelHold> {
    return this.hub.hold(userChannel(user.id));
  }

  /**
   * The session is a user's, or anonymous for good: runs the opening hooks
   * (presence counts it), with the connection's reading paused meanwhile, then
   * greets the client and arms the token expiry. `userChannel` joins the
   * user's channel from where it stood at the upgrade (the JSON protocol's
   * automatic subscription).
   */
  async open(
    session: SocketSession,
    greet: () => void,
    opts: { userChannel: boolean },
  ): Promise<void> {
    const user = session.user;
    if (user) {
      session.connection.pause();
      await this.registry.opened(session);
      if (session.closed) return;
      this.armExpiry(session);
    }
    greet();
    session.connection.resume();
    if (user && opts.userChannel)
      this.hub
        .join(session, userChannel(user.id), session.userChannelHold?.position)
        .catch((err: unknown) => {
          this.logger.error({ err, sessionId: session.id }, 'could not subscribe the user channel');
        });
    // join lists the subscription before its first await: the channel is held by it now.
    releaseUserChannel(session);
  }

  /**
   * Spends one frame of the session's budget (per user, per IP when anonymous,
   * shared with REST writes and, with Redis, with the user's sessions on other
   * nodes) and calls `proceed` with null when admitted, else with the refusal.
   * Past the abuse threshold the session is marked closing and the protocol
   * closes it with 4429 once the replies it owes have gone out. `proceed` runs
   * at once when this node decides alone; when the shared budget is asked, it
   * runs after the round trip, and the session's later frames wait behind it:
   * frames are always handled in the order they arrived.
   */
  admit(session: SocketSession, proceed: (refusal: Refusal | null) => void): void {
    const decision = this.limits.spend(session.rateKey, 'ws');
    if (!(decision instanceof Promise) && session.admissions === null) {
      proceed(this.verdict(session, decision));
      return;
    }
    const previous = session.admissions ?? Promise.resolve();
    const mine = previous
      .then(() => decision)
      .then((d) => proceed(this.verdict(session, d)))
      .catch((err: unknown) => {
        this.logger.error({ err, sessionId: session.id }, 'frame admission failed');
      })
      .finally(() => {
        if (session.admissions === mine) session.admissions = null;
      });
    session.admissions = mine;
  }

  private verdict(session: SocketSession, refusal: RateDecision): Refusal | null {
    if (!refusal) return null;
    const now = Date.now();
    if (now - session.strikesWindowStart > this.config.ws.rateWindowMs) {
      session.strikes = 0;
      session.strikesWindowStart = now;
    }
    session.strikes += 1;
    const abuse = session.strikes > this.config.ws.abuseThreshold;
    if (abuse) session.closing = true;
    return { error: refusal, abuse };
  }

  /** After an `auth` frame (or a new token on a STOMP session): re-arms the expiry close. */
  reauthenticated(session: SocketSession): void {
    this.armExpiry(session);
  }

  /**
   * Ends any session, event streams included, for a reason of the kernel's
   * (token expired, login revoked, account deleted); counted by close code.
   */
  terminate(session: RtSession, code: number, reason: string): void {
    if (session instanceof SocketSession) {
      this.end(session, code, reason);
      return;
    }
    if (session.closed) return;
    this.metrics.closes.inc({ code: String(code) });
    session.end(code, reason);
  }

  /** Ends a session for a reason of the kernel's; counted by close code. */
  end(session: SocketSession, code: number, reason: string): void {
    // The idle sweep finds a session again until its peer completes the close: count it once.
    if (session.closed || !session.connection.open) return;
    this.metrics.closes.inc({ code: String(code) });
    session.end(code, reason);
  }

  /** Closes every session with 1001 in batches, with jitter, so clients do not reconnect all at once. */
  async drain(timeoutMs: number): Promise<void> {
    this.draining = true;
    const sessions = [...this.sessions];
    const batch = 250;
    const deadline = Date.now() + timeoutMs;
    for (let i = 0; i < sessions.length; i += batch) {
      for (const s of sessions.slice(i, i + batch))
        s.end(CloseCode.GOING_AWAY, 'server shutting down');
      if (i + batch < sessions.length) await sleep(5 + Math.random() * 20);
    }
    while (this.sessions.size > 0 && Date.now() < deadline) await sleep(20);
    for (const s of this.sessions) s.connection.terminate();
  }

  private detach(session: SocketSession): void {
    if (session.closed) return;
    session.closed = true;
    releaseUserChannel(session);
    if (session.expiryTimer) clearTimeout(session.expiryTimer);
    this.sessions.delete(session);
    this.hub.leaveAll(session);
    this.registry.remove(session);
    this.metrics.openSockets.dec({ transport: session.transport });
  }

  /**
   * Ends the session (4401) when its token expires: sockets unless a new token
   * came first (`auth`), event streams always (they cannot take a new one).
   * Timers longer than setTimeout allows are re-armed when they fire early.
   */
  armExpiry(session: RtSession): void {
    if (session.expiryTimer) clearTimeout(session.expiryTimer);
    session.expiryTimer = null;
    const user = session.user;
    if (!user) return;
    const ms = Math.min(MAX_TIMER_MS, Math.max(0, user.exp * 1000 - Date.now()));
    session.expiryTimer = setTimeout(() => {
      if (!session.user || session.closed) return;
      if (session.user.exp * 1000 <= Date.now())
        this.terminate(session, CloseCode.TOKEN_EXPIRED, 'token expired');
      // A timer may fire a hair before the wall clock reaches exp: wait for the rest.
      else this.armExpiry(session);
    }, ms);
    session.expiryTimer.unref();
  }

  private heartbeat(): void {
    for (const s of this.sessions) if (!s.connection.probe()) s.connection.terminate();
  }

  private closeIdle(): void {
    const cutoff = Date.now() - this.config.ws.idleTimeoutMs;
    for (const s of this.sessions)
      if (s.lastActivity < cutoff) this.end(s, CloseCode.IDLE, 'idle timeout');
  }
}

function releaseUserChannel(session: SocketSession): void {
  session.userChannelHold?.release();
  session.userChannelHold = null;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
