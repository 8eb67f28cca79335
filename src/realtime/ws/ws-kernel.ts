import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { RawData } from 'ws';
import type { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { AppException } from '../../common/app.exception.js';
import { describeError, errorFrameOf } from '../../common/error-body.js';
import { ErrorCode } from '../../common/error-codes.js';
import { ROOT_LOGGER, type RootLogger } from '../../common/logging/logger.module.js';
import type { CommandContext } from '../../common/command-context.js';
import { ChannelHub } from '../hub/channel-hub.js';
import { RateLimitService } from '../limits/rate-limit.service.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { ClientFrame, CloseCode, parseClientFrame } from '../protocol/frames.js';
import { userChannel } from '../channels/channel-name.js';
import { ConnectionRegistry } from '../session/connection-registry.js';
import type { ReplySlot } from '../session/reply-order.js';
import { RtSession } from '../session/session.js';
import { idOf, KernelCommands } from './kernel-commands.js';
import { BoundCommand, KernelSocket, WsSession } from './ws-session.js';

/** The longest delay setTimeout accepts. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Socket lifecycle and frame dispatch: `connected`, the user channel, kernel
 * frames, module commands (Nest gateway handlers with their guards, interceptors
 * and pipes), errors as frames, rate limits and abuse, heartbeat, idle and token
 * expiry, and the draining close on shutdown.
 */
@Injectable()
export class WsKernel implements OnModuleDestroy {
  draining = false;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private readonly sockets = new Set<WsSession>();
  /** Module commands by frame type: one table for every socket (see the adapter). */
  readonly commands = new Map<string, BoundCommand>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ROOT_LOGGER) private readonly logger: RootLogger,
    private readonly registry: ConnectionRegistry,
    private readonly hub: ChannelHub,
    private readonly kernel: KernelCommands,
    private readonly limits: RateLimitService,
    private readonly metrics: MetricsService,
  ) {
    kernel.onReauthenticated = (s) => {
      if (s instanceof WsSession) this.armExpiry(s);
    };
  }

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

  get openSockets(): number {
    return this.sockets.size;
  }

  /**
   * A socket passed the upgrade checks: index it and listen to it, then greet
   * it. A user's socket is greeted once the session's opening hooks are done
   * (presence counts it first); frames it sends meanwhile wait in the socket.
   */
  accept(socket: KernelSocket, _req: IncomingMessage): void {
    const session = socket.session;
    session.meter = this.metrics.frames;
    this.sockets.add(session);
    this.registry.add(session);
    this.metrics.openSockets.inc({ transport: 'ws' });
    socket.on('pong', () => {
      session.alive = true;
    });
    socket.on('message', (data: RawData, isBinary: boolean) =>
      this.onMessage(session, data, isBinary),
    );
    socket.on('error', () => undefined);
    socket.once('close', () => this.onClose(session));
    if (!session.user) {
      this.greet(session);
      return;
    }
    socket.pause();
    void this.registry.opened(session).then(() => {
      if (session.closed) return;
      this.greet(session);
      socket.resume();
    });
  }

  private greet(session: WsSession): void {
    const user = session.user;
    session.send({
      type: 'connected',
      connectionId: session.id,
      user: user ? { id: user.id, displayName: user.displayName, role: user.role } : null,
      heartbeatMs: this.config.ws.heartbeatMs,
    });
    if (!user) return;
    this.armExpiry(session);
    this.hub.join(session, userChannel(user.id), session.userChannelSince).catch((err: unknown) => {
      this.logger.error({ err, sessionId: session.id }, 'could not subscribe the user channel');
    });
  }

  /** Closes every socket with 1001 in batches, with jitter, so clients do not reconnect all at once. */
  async drain(timeoutMs: number): Promise<void> {
    this.draining = true;
    const sessions = [...this.sockets];
    const batch = 250;
    const deadline = Date.now() + timeoutMs;
    for (let i = 0; i < sessions.length; i += batch) {
      for (const s of sessions.slice(i, i + batch))
        s.close(CloseCode.GOING_AWAY, 'server shutting down');
      if (i + batch < sessions.length) await sleep(5 + Math.random() * 20);
    }
    while (this.sockets.size > 0 && Date.now() < deadline) await sleep(20);
    for (const s of this.sockets) s.socket.terminate();
  }

  private onMessage(session: WsSession, data: RawData, isBinary: boolean): void {
    // Closing for abuse: what is accepted has its replies; nothing more is read.
    if (session.closing) return;
    session.lastActivity = Date.now();
    if (isBinary) {
      this.closeWith(session, CloseCode.UNSUPPORTED_DATA, 'binary frames are not supported');
      return;
    }
    // `ws` hands text frames over as a Buffer (binaryType nodebuffer): its length is the frame size.
    const raw = Array.isArray(data)
      ? Buffer.concat(data)
      : Buffer.isBuffer(data)
        ? data
        : Buffer.from(data);
    const parsed = parseClientFrame(raw.toString('utf8'));
    const kernelHandler = parsed.ok ? this.kernel.handlers.get(parsed.frame.type) : undefined;
    const command = parsed.ok && !kernelHandler ? this.commands.get(parsed.frame.type) : undefined;
    this.metrics.framesIn.inc({
      type: parsed.ok && (kernelHandler || command) ? parsed.frame.type : 'other',
    });
    const id = parsed.ok ? parsed.frame.id : parsed.id;
    try {
      this.limits.consume(session.rateKey, 'ws');
    } catch (err) {
      this.rateLimited(session, id, err);
      return;
    }
    const reply = session.reserveReply();
    if (!parsed.ok) {
      this.fail(session, reply, id, AppException.badRequest(parsed.message, parsed.details));
      return;
    }
    const frame = parsed.frame;
    if (kernelHandler) {
      Promise.resolve()
        .then(() => kernelHandler(session, frame, reply))
        .then(
          () => reply.finish(),
          (err: unknown) => this.fail(session, reply, frame.id, err),
        );
      return;
    }
    if (!command) {
      this.fail(
        session,
        reply,
        frame.id,
        new AppException(ErrorCode.UNKNOWN_TYPE, `Unknown frame type: ${frame.type}`),
      );
      return;
    }
    this.runCommand(session, frame, command, raw.length, reply);
  }

  private runCommand(
    session: WsSession,
    frame: ClientFrame,
    command: BoundCommand,
    frameBytes: number,
    reply: ReplySlot,
  ): void {
    const ctx: CommandContext = {
      kind: 'rt.command',
      session,
      frameId: frame.id,
      type: frame.type,
      frameBytes,
      reply: (f) => reply.send(f),
    };
    let value: unknown = null;
    try {
      const result$ = command.transform(command.callback(frame.data ?? {}, ctx));
      result$.subscribe({
        next: (v) => {
          value = v;
        },
        error: (err: unknown) => this.fail(session, reply, frame.id, err),
        complete: () => {
          // The exception filter has already sent the error frame of a failed command.
          if (!ctx.failed) reply.send({ type: 'ack', ...idOf(frame), data: value ?? null });
          reply.finish();
        },
      });
    } catch (err) {
      this.fail(session, reply, frame.id, err);
    }
  }

  /**
   * A refused frame is answered in its place, after the replies owed to the
   * frames accepted before it; past the abuse threshold the socket closes with
   * 4429 once those replies have gone out.
   */
  private rateLimited(session: WsSession, id: string | undefined, err: unknown): void {
    const now = Date.now();
    if (now - session.strikesWindowStart > this.config.ws.rateWindowMs) {
      session.strikes = 0;
      session.strikesWindowStart = now;
    }
    session.strikes += 1;
    const reply = session.reserveReply();
    if (session.strikes > this.config.ws.abuseThreshold) {
      session.closing = true;
      void reply.turn().then(() => {
        this.closeWith(session, CloseCode.ABUSE, 'rate limit abuse');
        reply.finish();
      });
      return;
    }
    this.fail(session, reply, id, err);
  }

  /** Answers a frame with the `error` frame of what it threw, and lets later replies go. */
  private fail(session: RtSession, reply: ReplySlot, id: string | undefined, err: unknown): void {
    const d = describeError(err);
    if (d.unexpected !== undefined)
      this.logger.error(
        { err: d.unexpected, traceId: d.traceId, sessionId: session.id },
        'command failed',
      );
    reply.send(errorFrameOf(id, d));
    reply.finish();
  }

  private onClose(session: WsSession): void {
    session.closed = true;
    if (session.expiryTimer) clearTimeout(session.expiryTimer);
    this.sockets.delete(session);
    this.hub.leaveAll(session);
    this.registry.remove(session);
    this.metrics.openSockets.dec({ transport: 'ws' });
  }

  private closeWith(session: WsSession, code: number, reason: string): void {
    // The idle sweep finds a socket again until its peer completes the close: count it once.
    if (session.socket.readyState !== 0 && session.socket.readyState !== 1) return;
    this.metrics.closes.inc({ code: String(code) });
    session.close(code, reason);
  }

  private armExpiry(session: WsSession): void {
    if (session.expiryTimer) clearTimeout(session.expiryTimer);
    const user = session.user;
    if (!user) return;
    const ms = Math.min(MAX_TIMER_MS, Math.max(0, user.exp * 1000 - Date.now()));
    session.expiryTimer = setTimeout(() => {
      if (session.user && session.user.exp * 1000 <= Date.now())
        this.closeWith(session, CloseCode.TOKEN_EXPIRED, 'token expired');
    }, ms);
    session.expiryTimer.unref();
  }

  private heartbeat(): void {
    for (const s of this.sockets) {
      if (!s.alive) {
        s.socket.terminate();
        continue;
      }
      s.alive = false;
      if (s.socket.readyState === 1) s.socket.ping();
    }
  }

  private closeIdle(): void {
    const cutoff = Date.now() - this.config.ws.idleTimeoutMs;
    for (const s of this.sockets)
      if (s.lastActivity < cutoff) this.closeWith(s, CloseCode.IDLE, 'idle timeout');
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
