import { Inject, Injectable } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import sockjs from 'sockjs';
import type { AuthUser } from '../../../auth/auth.types.js';
import { AuthenticationService } from '../../../auth/authentication.service.js';
import { TokenService } from '../../../auth/token.service.js';
import type { AppConfig } from '../../../config/app-config.js';
import { APP_CONFIG } from '../../../config/config.module.js';
import { AppException } from '../../../common/app.exception.js';
import { ErrorCode } from '../../../common/error-codes.js';
import { clientAddress, ClientAddresses } from '../../../common/http/client-address.js';
import { redactTokens } from '../../../common/logging/http-logger.js';
import { ROOT_LOGGER, type RootLogger } from '../../../common/logging/logger.module.js';
import { SessionKernel } from '../../kernel/session-kernel.js';
import { RateLimitService } from '../../limits/rate-limit.service.js';
import { JsonProtocol } from '../../protocols/json/json-protocol.js';
import { StompProtocol } from '../../protocols/stomp/stomp-protocol.js';
import { CloseCode } from '../../session/close-codes.js';
import { authenticateHandshake, refusalBody, rejectUpgrade } from '../handshake.js';
import { SockJsConnection } from './sockjs-connection.js';

export const SOCKJS_PREFIX = '/ws';

/** The SockJS transports offered (the iframe, JSONP and htmlfile ones are not). */
const TRANSPORT_PATH = /^\/ws\/[^/.]+\/[^/.]+\/(websocket|xhr|xhr_send|xhr_streaming|eventsource)$/;
const RAW_WEBSOCKET_PATH = '/ws/websocket';
const INFO_PATH = '/ws/info';

/** A STOMP client's first frame: `CONNECT` or `STOMP`, then a line end. */
const STOMP_FIRST_FRAME = /^\s*(CONNECT|STOMP)\r?\n/;

type Handler = (req: IncomingMessage, res: ServerResponse | Duplex, head?: Buffer) => boolean;
/** What `sockjs` offers beside its typings: a handler for requests we route ourselves. */
type SockJsServer = sockjs.Server & {
  listener(options: Record<string, unknown>): { getHandler(): Handler };
};

/**
 * SockJS under the `/ws` prefix, as Spring serves it: `/ws/info`, then a
 * session over `websocket`, `xhr_streaming`, `xhr` (polling) with `xhr_send`,
 * or `eventsource`, and the raw `/ws/websocket`. Every transport request is
 * checked like a WebSocket upgrade (Origin, a token in the query string, the
 * connect rate); the first message of a session picks its protocol: STOMP when
 * it is a `CONNECT`/`STOMP` frame, the JSON protocol otherwise.
 */
@Injectable()
export class SockJsTransport {
  private readonly handler: Handler;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ROOT_LOGGER) private readonly logger: RootLogger,
    private readonly tokens: TokenService,
    private readonly authn: AuthenticationService,
    private readonly limits: RateLimitService,
    private readonly addresses: ClientAddresses,
    private readonly kernel: SessionKernel,
    private readonly json: JsonProtocol,
    private readonly stomp: StompProtocol,
  ) {
    const server = sockjs.createServer({
      prefix: SOCKJS_PREFIX,
      websocket: true,
      heartbeat_delay: config.ws.heartbeatMs,
      disconnect_delay: 5000,
      log: (severity, message) => {
        // Its error lines quote the request url, which may carry `?token=`.
        if (severity === 'error') this.logger.warn({ component: 'sockjs' }, redactTokens(message));
      },
    }) as SockJsServer;
    server.on('connection', (conn: sockjs.Connection | null) => {
      if (!conn) return;
      const ip = clientAddress(
        conn.remoteAddress,
        conn.headers['x-forwarded-for'],
        this.addresses.trust,
      );
      const connection = new SockJsConnection(
        conn,
        ip,
        this.config.ws.maxPayload,
        this.config.ws.maxBufferedBytes,
      );
      this.connected(connection, conn.url).catch((err: unknown) => {
        // A dependency failed while the session opened: the client retries.
        this.logger.warn({ err }, 'could not open a SockJS session');
        connection.close(1011, 'service unavailable');
      });
    });
    this.handler = server
      .listener({
        prefix: SOCKJS_PREFIX,
        // A SockJS WebSocket frame wraps messages in a JSON array: room for the
        // escaping of a message of the maximum size.
        faye_server_options: { maxLength: config.ws.maxPayload * 6 + 64 },
      })
      .getHandler();
  }

  /**
   * Express middleware for HTTP requests under `/ws/` (before the body parser:
   * SockJS reads its own bodies). Anything else goes on to the application.
   */
  middleware() {
    return (req: Request, res: Response, next: NextFunction): void => {
      const url = safeUrl(req.originalUrl ?? req.url);
      if (!url || !url.pathname.startsWith(`${SOCKJS_PREFIX}/`)) return next();
      this.route(req, res, url).catch((err: unknown) => {
        this.logger.warn({ err }, 'SockJS request failed');
        refuse(res, 503, 'Service unavailable; retry', 2000);
      });
    };
  }

  /** An upgrade under `/ws/` (the SockJS `websocket` transport, or the raw one). */
  async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): Promise<void> {
    const path = url.pathname;
    const isWebSocket = path === RAW_WEBSOCKET_PATH || TRANSPORT_PATH.test(path);
    if (!isWebSocket || !path.endsWith('/websocket'))
      return rejectUpgrade(socket, 404, 'Not found');
    const refusal = await this.check(req, url, true);
    if (refusal)
      return rejectUpgrade(socket, refusal.status, refusal.message, refusal.retryAfterMs);
    if (!this.handler(req, socket, head)) rejectUpgrade(socket, 404, 'Not found');
  }

  private async route(req: Request, res: Response, url: URL): Promise<void> {
    const path = url.pathname;
    const known = path === INFO_PATH || TRANSPORT_PATH.test(path);
    if (!known || path.endsWith('/websocket')) return refuse(res, 404, 'Not found');
    if (req.method === 'OPTIONS') {
      if (!this.handler(req, res)) refuse(res, 404, 'Not found');
      return;
    }
    const creates = path === INFO_PATH;
    const refusal = await this.check(req, url, creates);
    if (refusal) return refuse(res, refusal.status, refusal.message, refusal.retryAfterMs);
    if (path.endsWith('/xhr_send') && !this.boundBody(req, res)) return;
    if (!this.handler(req, res)) refuse(res, 404, 'Not found');
  }

  /**
   * SockJS reads a send body whole and without a limit: refuse one declared
   * too large at once, and cut one that grows past the limit as it arrives
   * (clients may stream it without a length).
   */
  private boundBody(req: Request, res: Response): boolean {
    const limit = this.config.ws.maxPayload * 6 + 64;
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      refuse(res, 413, 'Message too large');
      return false;
    }
    let received = 0;
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit && !res.headersSent) {
        refuse(res, 413, 'Message too large');
        req.destroy();
      }
    });
    return true;
  }

  /**
   * The checks of a WebSocket upgrade, on a SockJS request: shutdown, the
   * connect rate (on requests that start a session), the Origin, and a token
   * in the query string (on requests that start a session, the user it names,
   * as an upgrade does; on the others its signature and expiry). No token: the
   * session is anonymous, or STOMP's CONNECT brings one.
   */
  private async check(
    req: IncomingMessage,
    url: URL,
    creates: boolean,
  ): Promise<{ status: number; message: string; retryAfterMs?: number } | null> {
    if (this.kernel.draining) return { status: 503, message: 'Server shutting down' };
    if (creates) {
      const wait = await this.limits.connectAttempt(this.addresses.of(req));
      if (wait > 0)
        return { status: 429, message: 'Too many connection attempts', retryAfterMs: wait };
    }
    const origin = req.headers.origin;
    if (origin && this.config.corsOrigins && !this.config.corsOrigins.includes(origin))
      return { status: 403, message: 'Origin not allowed' };
    const token = url.searchParams.get('token');
    if (token === null) return null;
    if (creates) {
      // A request that starts a session reads the user, as a WebSocket upgrade
      // does: a database outage is 503 here (the client retries), never 401.
      const decision = await authenticateHandshake(token, this.authn);
      return decision.ok ? null : decision;
    }
    try {
      this.tokens.verify(token);
    } catch {
      return { status: 401, message: 'Invalid or expired token' };
    }
    return null;
  }

  /** A SockJS session opened: who it is, then which protocol its first message speaks. */
  private async connected(connection: SockJsConnection, url: string): Promise<void> {
    const token = safeUrl(url)?.searchParams.get('token') ?? null;
    let user: AuthUser | null = null;
    try {
      if (token !== null) user = await this.authn.authenticate(token);
    } catch (err) {
      const refused = err instanceof AppException && err.code === ErrorCode.UNAUTHORIZED;
      connection.close(
        refused ? CloseCode.TOKEN_EXPIRED : 1011,
        refused ? 'invalid or expired token' : 'authentication unavailable',
      );
      return;
    }
    const first = await connection.firstMessage();
    if (first === null || this.kernel.draining) {
      connection.close(CloseCode.GOING_AWAY, 'server shutting down');
      return;
    }
    if (STOMP_FIRST_FRAME.test(first)) {
      this.stomp.accept(connection, user, '1.2', false);
      return;
    }
    if (!user && !this.config.ws.allowAnonymous) {
      connection.close(CloseCode.TOKEN_EXPIRED, 'a token is required');
      return;
    }
    try {
      const hold = user ? await this.kernel.holdUserChannel(user) : undefined;
      this.json.accept(connection, user, hold);
    } catch (err) {
      this.logger.warn({ err }, 'could not open a SockJS session');
      connection.close(1011, 'service unavailable');
    }
  }
}

function safeUrl(raw: string | undefined): URL | null {
  try {
    return new URL(raw ?? '/', 'http://localhost');
  } catch {
    return null;
  }
}

/** A refused SockJS request, in the contract's error shape. */
function refuse(res: ServerResponse, status: number, message: string, retryAfterMs?: number): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const body = refusalBody(status, message, retryAfterMs);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  if (retryAfterMs)
    res.setHeader('Retry-After', String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
  res.end(body);
}
